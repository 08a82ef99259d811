// AWS Organizations reads: the organization's ACTIVE accounts, one account's description, and an account's or OU's
// parent. The Lambda runtime
// imports this module on first use (see runtime.ts), so its SDK client stays out of cold starts that never need it.
import {
  type Account,
  AccountNotFoundException,
  DescribeAccountCommand,
  ListParentsCommand,
  OrganizationsClient,
  type OrganizationsClientConfig,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from "@smithy/types";
import { isAccountId } from "../domain/resources.js";
import type { DescribedAccount, OrgAccount, OrganizationsApi } from "./organization-directory.js";

/** The reads OrganizationDirectory caches, bound to one client. */
export function organizationsApi(org: OrganizationsClient): OrganizationsApi {
  return {
    listActiveAccounts: () => listActiveAccounts(org),
    describeAccount: (accountId) => describeAccount(org, accountId),
    parentOf: (childId) => parentOf(org, childId),
  };
}

/** A client built here, inside the module loaded on demand, so importing the SDK client waits for first use too. */
export function connectOrganizations(config: OrganizationsClientConfig): OrganizationsApi {
  const attempts = typeof config.maxAttempts === "number" ? config.maxAttempts : DEFAULT_ATTEMPTS;
  return organizationsApi(
    new OrganizationsClient({ ...config, retryStrategy: organizationsRetryStrategy(attempts) }),
  );
}

const DEFAULT_ATTEMPTS = 3;
const THROTTLED_BASE_MS = 500;
const OTHER_BASE_MS = 100;
const MAX_DELAY_MS = 20_000;

/**
 * Retries for Organizations: up to `maxAttempts` with full-jitter exponential backoff (the SDK's bases and cap),
 * but without the SDK's retry quota. Organizations has one request rate for the whole organization, so when a
 * hundred sweep workers start, most boundary lookups are throttled a few times before their turn; the standard
 * strategy stops retrying once a client has spent about a hundred retries, which failed account-regions that one
 * more wait would have saved. Client errors (AccessDenied, AccountNotFound) are never retried.
 */
export function organizationsRetryStrategy(maxAttempts: number, random = Math.random): RetryStrategyV2 {
  const token = (retryCount: number, delayMs: number): RetryToken => ({
    getRetryCount: () => retryCount,
    getRetryDelay: () => delayMs,
  });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: RetryToken, error: RetryErrorInfo) => {
      const retries = previous.getRetryCount();
      if (error.errorType === "CLIENT_ERROR" || retries + 1 >= maxAttempts) throw new Error("no retry");
      const base = error.errorType === "THROTTLING" ? THROTTLED_BASE_MS : OTHER_BASE_MS;
      return token(retries + 1, Math.floor(random() * Math.min(MAX_DELAY_MS, base * 2 ** retries)));
    },
    recordSuccess: () => {},
  };
}

/** Every ACTIVE account of the organization (all pages). Suspended, closing and closed accounts are left out. */
export async function listActiveAccounts(org: OrganizationsClient): Promise<OrgAccount[]> {
  const accounts: OrgAccount[] = [];
  for await (const page of paginateListAccounts({ client: org }, { MaxResults: 20 })) {
    for (const account of page.Accounts ?? []) {
      const id = account.Id;
      if (id === undefined || !isAccountId(id) || !isActive(account)) continue;
      const organizationId = organizationOfAccountArn(account.Arn);
      accounts.push({
        accountId: id,
        ...(account.Name === undefined ? {} : { name: account.Name }),
        ...(organizationId === undefined ? {} : { organizationId }),
      });
    }
  }
  return accounts;
}

/**
 * One account of the caller's organization, in any state; undefined when Organizations answers
 * AccountNotFoundException (no such account in the organization). Every other error (throttling, AccessDenied, an
 * organization not in use) goes through: it says nothing about membership.
 */
export async function describeAccount(
  org: OrganizationsClient,
  accountId: string,
): Promise<DescribedAccount | undefined> {
  // Not an account ID at all: no account of any organization (DescribeAccount would reject the input).
  if (!isAccountId(accountId)) return undefined;
  let account: Account | undefined;
  try {
    ({ Account: account } = await org.send(new DescribeAccountCommand({ AccountId: accountId })));
  } catch (error) {
    if (error instanceof AccountNotFoundException) return undefined;
    throw error;
  }
  if (account === undefined) return undefined;
  const arn = parseAccountArn(account.Arn);
  // The organization is taken only from an ARN that names the account asked about.
  const organizationId = arn?.accountId === accountId ? arn.organizationId : undefined;
  return {
    accountId,
    active: isActive(account),
    ...(account.Name === undefined ? {} : { name: account.Name }),
    ...(organizationId === undefined ? {} : { organizationId }),
  };
}

/** The o-… in `arn:aws:organizations::<management>:account/o-…/<account>`. */
function organizationOfAccountArn(arn: string | undefined): string | undefined {
  return parseAccountArn(arn)?.organizationId;
}

function parseAccountArn(
  arn: string | undefined,
): { readonly organizationId: string; readonly accountId: string } | undefined {
  const match = arn === undefined ? null : /:account\/(o-[a-z0-9]+)\/(\d{12})$/.exec(arn);
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : { organizationId: match[1], accountId: match[2] };
}

/** `State` replaced the deprecated `Status`; older endpoints (and emulators) may send only `Status`. */
function isActive(account: Account): boolean {
  return (account.State ?? account.Status) === "ACTIVE";
}

/** The parent of an account or OU: an OU ID, a root ID, or undefined at the top. */
export async function parentOf(org: OrganizationsClient, childId: string): Promise<string | undefined> {
  // An account or OU has exactly one parent, so one page always holds it.
  const { Parents: parents = [] } = await org.send(new ListParentsCommand({ ChildId: childId }));
  return parents[0]?.Id;
}
