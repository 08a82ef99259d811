// The organization as the enforcer needs it — who is a member, which OUs sit above an account — cached per container.
// No SDK import: the Organizations reads arrive through OrganizationsApi, which the Lambda runtime loads on first use.
import type { AccountId } from "../domain/resources.js";

export interface OrgAccount {
  readonly accountId: AccountId;
  readonly name?: string;
  /** The organization (o-…) the account's ARN names. */
  readonly organizationId?: string;
}

/** One account as DescribeAccount answers for it, whatever its state. */
export interface DescribedAccount extends OrgAccount {
  /** ACTIVE (not suspended, closing or closed). */
  readonly active: boolean;
}

/** The Organizations reads the directory caches (organizations-gateway.ts binds them to a client). */
export interface OrganizationsApi {
  /** Every ACTIVE account of the organization (all pages). */
  listActiveAccounts(): Promise<OrgAccount[]>;
  /** One account of the caller's organization; undefined when the organization has no such account. */
  describeAccount(accountId: string): Promise<DescribedAccount | undefined>;
  /** The parent of an account or OU: an OU ID, a root ID, or undefined at the top. */
  parentOf(childId: string): Promise<string | undefined>;
}

export interface OrganizationDirectoryOptions {
  /** How long the account list, a member's description and OU parents are trusted before being read again. */
  readonly ttlSeconds: number;
  /**
   * How long "not an ACTIVE member" is trusted: an account created or reactivated minutes ago is admitted promptly,
   * while a stream of events naming a foreign account costs at most one DescribeAccount per account per interval.
   */
  readonly missRefreshSeconds?: number;
  readonly now?: () => number;
}

interface Cached<T> {
  readonly value: Promise<T>;
  readonly at: number;
}

/** A membership answer, trusted for the TTL when positive (or still pending) and for missRefreshSeconds when not. */
interface CachedMember extends Cached<OrgAccount | undefined> {
  trustedMs: number;
}

const DEFAULT_MISS_REFRESH_SECONDS = 30;
/** Past this many accounts remembered, expired answers are dropped, so forged account IDs cannot grow the cache. */
const MEMBER_CACHE_PRUNE_AT = 5000;

/** The organization as the enforcer needs it: who is a member, and which OUs sit above an account. */
export class OrganizationDirectory {
  private accounts: Cached<ReadonlyMap<string, OrgAccount>> | undefined;
  /** The last list read in full, kept once it has arrived so membership can be answered from it without waiting. */
  private listed: { readonly accounts: ReadonlyMap<string, OrgAccount>; readonly at: number } | undefined;
  private readonly members = new Map<string, CachedMember>();
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
    return [...(await this.accountMap()).values()];
  }

  /**
   * True when the account is an ACTIVE member of `organizationId`, as its ARN names it, so credentials of another
   * organization's account admit nobody. One DescribeAccount per account per TTL (a container never lists the whole
   * organization for it: a hundred sweep workers doing so exhausted Organizations' request rate), or the account
   * list when a fresh one is at hand. A failed lookup is not cached and its error goes through.
   */
  async isActiveMember(accountId: string, organizationId: string): Promise<boolean> {
    return (await this.member(accountId))?.organizationId === organizationId;
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

  private accountMap(): Promise<ReadonlyMap<string, OrgAccount>> {
    const cached = this.accounts;
    if (cached && this.fresh(cached)) return cached.value;
    const at = this.now();
    const value = this.api()
      .then((api) => api.listActiveAccounts())
      .then((list) => new Map(list.map((account) => [account.accountId, account])));
    const entry = { value, at };
    this.accounts = entry;
    value.then(
      (accounts) => {
        this.listed = { accounts, at };
      },
      // A failed read is not cached: the next caller tries again.
      () => {
        if (this.accounts === entry) this.accounts = undefined;
      },
    );
    return value;
  }

  /** The account as a fresh list, a cached description or (failing both) DescribeAccount has it; undefined if none. */
  private member(accountId: string): Promise<OrgAccount | undefined> {
    const listed = this.listed;
    if (listed !== undefined) {
      const age = this.now() - listed.at;
      const account = listed.accounts.get(accountId);
      if (account !== undefined && age < this.options.ttlSeconds * 1000) return Promise.resolve(account);
      if (account === undefined && age < this.missRefreshMs()) return Promise.resolve(undefined);
    }
    const cached = this.members.get(accountId);
    if (cached && this.now() - cached.at < cached.trustedMs) return cached.value;
    if (this.members.size >= MEMBER_CACHE_PRUNE_AT) this.pruneMembers();
    const value = this.api()
      .then((api) => api.describeAccount(accountId))
      .then((account) => (account?.active ? account : undefined));
    // Trusted for the TTL while pending, so concurrent lookups of one account share one call.
    const entry: CachedMember = { value, at: this.now(), trustedMs: this.options.ttlSeconds * 1000 };
    this.members.set(accountId, entry);
    value.then(
      (account) => {
        if (account === undefined) entry.trustedMs = this.missRefreshMs();
      },
      // Throttled, denied or unreachable says nothing about membership: not cached, the next caller asks again.
      () => {
        if (this.members.get(accountId) === entry) this.members.delete(accountId);
      },
    );
    return value;
  }

  private pruneMembers(): void {
    const now = this.now();
    for (const [accountId, entry] of this.members)
      if (now - entry.at >= entry.trustedMs) this.members.delete(accountId);
  }

  private missRefreshMs(): number {
    return (this.options.missRefreshSeconds ?? DEFAULT_MISS_REFRESH_SECONDS) * 1000;
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
