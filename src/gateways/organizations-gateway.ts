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
  return organizationsApi(new OrganizationsClient(config));
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
