// Wiring of the enforcement engine: typed options in, the ports every enforcement use case declares out
// (EnforcementPorts), with SDK clients and caches built once — per container in Lambda, per command in the CLI.
// The one place that knows which gateway serves which port.
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import type { AccountId, RegionName } from "../domain/resources.js";
import { AccountClients } from "../gateways/account-clients.js";
import { createEc2Gateway } from "../gateways/ec2-gateway.js";
import { OrganizationDirectory } from "../gateways/organization-directory.js";
import { cachedPolicyLoader } from "../gateways/policy-store.js";
import type { PolicySource } from "../policy/policy-source.js";
import type { AccountBoundary, EnforcementPorts } from "../use-cases/run-enforcement.js";
import { sdkClientConfig } from "./client-config.js";

export interface EnforcerOptions {
  /** The deployment's policy, used when a job names no other. */
  readonly policySource: PolicySource;
  readonly memberRoleName: string;
  /** How long a loaded policy is trusted before it is read again. */
  readonly policyCacheTtlSeconds: number;
  readonly allowedAccounts?: readonly AccountId[] | undefined;
  readonly maxAttempts?: number | undefined;
  /** The home region: the function's own (AWS_REGION) or the CLI's; STS, SSM and S3 are called there. */
  readonly region?: RegionName | undefined;
  readonly accountBoundary: AccountBoundary;
  readonly allowedDestinations?: readonly string[] | undefined;
  readonly organizationCacheTtlSeconds: number;
  /** The caller's account when known up front (the CLI's identity); Lambda learns it from its context. */
  readonly homeAccountId?: AccountId | undefined;
}

/** The engine's ports plus what the wiring itself exposes to handlers and the CLI. */
export interface Enforcer extends EnforcementPorts {
  readonly homeRegion?: RegionName | undefined;
  readonly accounts: AccountClients;
  readonly organization: OrganizationDirectory;
}

export function createEnforcer(options: EnforcerOptions): Enforcer {
  const clientConfig = sdkClientConfig(options);
  const sts = new STSClient(clientConfig);
  // Built on first use: most deployments read the policy from only one kind of source.
  let ssm: SSMClient | undefined;
  // S3 and Organizations code is imported on first use, not only constructed then: a policy in SSM or a file never
  // needs S3, and only an organization boundary or organizationalUnits rules need Organizations. In the split Lambda
  // bundles each import is a chunk that cold starts without that need never load (see scripts/build.mjs).
  const s3 = onFirstUse(async () => (await import("../gateways/s3-objects.js")).connectS3(clientConfig));
  const organizationsApi = onFirstUse(async () =>
    (await import("../gateways/organizations-gateway.js")).connectOrganizations(clientConfig),
  );
  const loadPolicy = cachedPolicyLoader(
    { ssm: () => (ssm ??= new SSMClient(clientConfig)), s3 },
    options.policyCacheTtlSeconds,
  );
  const accounts = new AccountClients({
    sts,
    memberRoleName: options.memberRoleName,
    clientConfig: sdkClientConfig({ maxAttempts: options.maxAttempts }),
    ...(options.homeAccountId === undefined ? {} : { homeAccountId: options.homeAccountId }),
  });
  return {
    homeRegion: options.region,
    accounts,
    organization: new OrganizationDirectory(organizationsApi, {
      ttlSeconds: options.organizationCacheTtlSeconds,
    }),
    allowedAccounts: options.allowedAccounts,
    accountBoundary: options.accountBoundary,
    allowedDestinations: options.allowedDestinations,
    loadPolicy: (source) => loadPolicy(source ?? options.policySource),
    isHomeAccount: (accountId) => accounts.isHome(accountId),
    now: () => new Date(),
    flowLogsIn: async (target) => {
      await accounts.verifyAccess(target);
      return createEc2Gateway(await accounts.ec2For(target));
    },
  };
}

/** Runs `load` once and shares its promise; a failed load is forgotten so the next caller tries again. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}
