// The organization as the enforcer needs it — who is a member, which OUs sit above an account — cached per container.
// No SDK import: the Organizations reads arrive through OrganizationsApi, which the Lambda runtime loads on first use.
import type { AccountId } from "../domain/resources.js";

export interface OrgAccount {
  readonly accountId: AccountId;
  readonly name?: string;
  /** The organization (o-…) the account's ARN names. */
  readonly organizationId?: string;
}

/** The two Organizations reads the directory caches (organizations-gateway.ts binds them to a client). */
export interface OrganizationsApi {
  /** Every ACTIVE account of the organization (all pages). */
  listActiveAccounts(): Promise<OrgAccount[]>;
  /** The parent of an account or OU: an OU ID, a root ID, or undefined at the top. */
  parentOf(childId: string): Promise<string | undefined>;
}

export interface OrganizationDirectoryOptions {
  /** How long the account list and OU parents are trusted before being read again. */
  readonly ttlSeconds: number;
  /**
   * An account missing from a cached list is looked up again once the list is this old, so an account created
   * minutes ago is admitted promptly while a stream of forged events costs at most one ListAccounts per interval.
   */
  readonly missRefreshSeconds?: number;
  readonly now?: () => number;
}

interface Cached<T> {
  readonly value: Promise<T>;
  readonly at: number;
}

/** The organization as the enforcer needs it: who is a member, and which OUs sit above an account. */
export class OrganizationDirectory {
  private accounts: Cached<ReadonlyMap<string, OrgAccount>> | undefined;
  private readonly parents = new Map<string, Cached<string | undefined>>();
  private readonly now: () => number;

  constructor(
    private readonly api: () => Promise<OrganizationsApi>,
    private readonly options: OrganizationDirectoryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** ACTIVE accounts, read once per TTL. */
  async activeAccounts(): Promise<OrgAccount[]> {
    return [...(await this.accountMap(false)).values()];
  }

  /**
   * True when the account is an ACTIVE member of `organizationId`: listed by ListAccounts and named so by its ARN,
   * so credentials of another organization's account admit nobody. A miss re-reads a list older than
   * `missRefreshSeconds`.
   */
  async isActiveMember(accountId: string, organizationId: string): Promise<boolean> {
    const listed = (await this.accountMap(false)).get(accountId);
    if (listed !== undefined) return listed.organizationId === organizationId;
    const age = this.now() - (this.accounts?.at ?? 0);
    if (age < (this.options.missRefreshSeconds ?? 30) * 1000) return false;
    return (await this.accountMap(true)).get(accountId)?.organizationId === organizationId;
  }

  /** Every OU above the account, nearest first (the root is not an OU and is left out). */
  async organizationalUnitsOf(accountId: string): Promise<string[]> {
    const ous: string[] = [];
    let child = accountId;
    // An organization nests OUs at most five levels deep; the bound only guards against a cycle.
    for (let depth = 0; depth < 10; depth += 1) {
      const parent = await this.cachedParent(child);
      if (parent === undefined || !parent.startsWith("ou-")) break;
      ous.push(parent);
      child = parent;
    }
    return ous;
  }

  private accountMap(refresh: boolean): Promise<ReadonlyMap<string, OrgAccount>> {
    const cached = this.accounts;
    if (!refresh && cached && this.fresh(cached)) return cached.value;
    const value = this.api()
      .then((api) => api.listActiveAccounts())
      .then((list) => new Map(list.map((account) => [account.accountId, account])));
    const entry = { value, at: this.now() };
    this.accounts = entry;
    // A failed read is not cached: the next caller tries again.
    value.catch(() => {
      if (this.accounts === entry) this.accounts = undefined;
    });
    return value;
  }

  private cachedParent(childId: string): Promise<string | undefined> {
    const cached = this.parents.get(childId);
    if (cached && this.fresh(cached)) return cached.value;
    const value = this.api().then((api) => api.parentOf(childId));
    const entry = { value, at: this.now() };
    this.parents.set(childId, entry);
    value.catch(() => {
      if (this.parents.get(childId) === entry) this.parents.delete(childId);
    });
    return value;
  }

  private fresh(cached: Cached<unknown>): boolean {
    return this.now() - cached.at < this.options.ttlSeconds * 1000;
  }
}
