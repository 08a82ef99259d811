// What a scan or enforce run works on: caller identity and runtime, the validated policy, the account-regions.
// Everything here fails fast with a clear message (credentials, region, policy, organization) before any work.
import {
  type CliEnforcer,
  configuredRegion,
  createCliEnforcer,
  identifyCaller,
  knownRegions,
} from "../app/cli.js";
import {
  type AccountId,
  type AccountRegion,
  accountRegion,
  isRegionName,
  type RegionName,
} from "../domain/resources.js";
import { EnforcerError, errorCode, errorSummary, UsageError } from "../errors.js";
import { type CallerIdentity, toCredentialsError } from "../gateways/caller-session.js";
import type { OrgAccount } from "../gateways/organization-directory.js";
import type { PolicySource } from "../policy/policy-source.js";
import type { Policy } from "../policy/schema.js";
import type { CliIo } from "./io.js";
import { checkRegions, enabledRegions } from "./regions.js";

export type AccountSelection =
  | { readonly kind: "caller" }
  | { readonly kind: "list"; readonly ids: readonly AccountId[] }
  | { readonly kind: "org" };

export type RegionSelection =
  | { readonly kind: "default" }
  | { readonly kind: "list"; readonly names: readonly RegionName[] }
  | { readonly kind: "all" };

export interface SessionRequest {
  readonly accounts: AccountSelection;
  readonly regions: RegionSelection;
  readonly source: PolicySource;
  readonly roleName: string;
  /** `--findings`: import Security Hub findings for what changed state. */
  readonly findings?: boolean;
  /** --organization-id: accounts outside this organization are refused before any role is assumed. */
  readonly organizationId?: string | undefined;
  /** --allowed-destinations: resources the policy sends outside these patterns are failed, never written. */
  readonly allowedDestinations?: readonly string[] | undefined;
}

export interface ScanSession {
  readonly identity: CallerIdentity;
  readonly enforcer: CliEnforcer;
  readonly policy: Policy;
  readonly accounts: readonly AccountId[];
  readonly regions: readonly RegionName[];
  /** accounts × regions, in that order. */
  readonly targets: readonly AccountRegion[];
}

/**
 * 1. the home region: the SDK's, else the first of --regions
 * 2. who the caller is (the credential check)
 * 3. the engine's ports, with the policy source and member role name from the command line
 * 4. the policy, validated (PolicyValidationError names file, line and column)
 * 5. the regions, checked against DescribeRegions
 * 6. the accounts: the caller's, the listed ones, or every ACTIVE account of the organization
 */
export async function openScanSession(request: SessionRequest, io: CliIo): Promise<ScanSession> {
  const listed = request.regions.kind === "list" ? request.regions.names : [];
  const configured = await configuredRegion(io.env);
  if (configured !== undefined && !isRegionName(configured))
    throw new UsageError(
      `the configured region "${configured}" is not a region name (check AWS_REGION or the profile)`,
    );
  const homeRegion = configured ?? listed[0];
  if (homeRegion === undefined)
    throw new UsageError(
      "no AWS region configured: set AWS_REGION (or a region in your profile), or pass --regions",
    );

  const identity = await identifyCaller(homeRegion);
  const enforcer = createCliEnforcer({
    region: homeRegion,
    policySource: request.source,
    memberRoleName: request.roleName,
    organizationId: request.organizationId,
    allowedDestinations: request.allowedDestinations,
    homeAccountId: identity.accountId,
    securityHubFindings: request.findings === true,
  });
  const { policy } = await enforcer.loadPolicy();
  const regions = await selectRegions(request.regions, homeRegion, identity, io);
  const accounts = await selectAccounts(request.accounts, identity, enforcer);
  const targets = accounts.flatMap((accountId) => regions.map((region) => accountRegion(accountId, region)));
  return { identity, enforcer, policy, accounts, regions, targets };
}

async function selectRegions(
  selection: RegionSelection,
  homeRegion: RegionName,
  identity: CallerIdentity,
  io: CliIo,
): Promise<RegionName[]> {
  if (selection.kind === "default") return [homeRegion];
  if (selection.kind === "list") return verifyRegions(selection.names, homeRegion, identity, io);
  try {
    return enabledRegions(await knownRegions(homeRegion, identity.partition));
  } catch (error) {
    if (isAccessDenied(error))
      throw new EnforcerError(`--all-regions needs ec2:DescribeRegions: ${errorSummary(error)}`, {
        cause: error,
      });
    throw error;
  }
}

/**
 * The regions a command names, checked against DescribeRegions (UnknownRegionError for one that is unknown or not
 * enabled for the caller's account) — `scan`, `enforce` and `explain` alike. Without ec2:DescribeRegions the names
 * are used as given, with a warning.
 */
export async function verifyRegions(
  names: readonly RegionName[],
  homeRegion: RegionName,
  identity: CallerIdentity,
  io: CliIo,
): Promise<RegionName[]> {
  try {
    checkRegions(names, await knownRegions(homeRegion, identity.partition), identity.accountId);
    return [...names];
  } catch (error) {
    // Without ec2:DescribeRegions the names can still be used as given; an unknown one then fails its own rows.
    if (!isAccessDenied(error)) throw error;
    io.err(`warning: cannot check region names (${errorSummary(error)}); using them as given`);
    return [...names];
  }
}

async function selectAccounts(
  selection: AccountSelection,
  identity: CallerIdentity,
  enforcer: CliEnforcer,
): Promise<AccountId[]> {
  if (selection.kind === "caller") return [identity.accountId];
  if (selection.kind === "list") return [...new Set(selection.ids)];
  let accounts: OrgAccount[];
  try {
    accounts = await enforcer.organization.activeAccounts();
  } catch (error) {
    const credentials = toCredentialsError(error);
    if (credentials) throw credentials;
    if (errorCode(error) === "AWSOrganizationsNotInUseException")
      throw new EnforcerError(`--org: account ${identity.accountId} is not in an organization`, {
        cause: error,
      });
    if (isAccessDenied(error))
      throw new EnforcerError(
        `--org needs organizations:ListAccounts, which only the management account or a delegated administrator has (${errorSummary(error)}); pass --accounts instead`,
        { cause: error },
      );
    throw error;
  }
  if (accounts.length === 0)
    throw new EnforcerError(
      `--org: the organization of account ${identity.accountId} lists no ACTIVE account`,
    );
  return accounts.map((account) => account.accountId);
}

const ACCESS_DENIED: ReadonlySet<string> = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
]);

export function isAccessDenied(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && ACCESS_DENIED.has(code);
}
