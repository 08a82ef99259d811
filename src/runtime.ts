// Composition root: configuration, SDK clients and caches created once per container and shared by every handler.
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { type EnforcerConfig, readConfig } from "./config.js";
import { AccountClients } from "./gateways/account-clients.js";
import { OrganizationDirectory } from "./gateways/organization-directory.js";
import type { Policy } from "./policy/schema.js";
import { cachedPolicyLoader } from "./policy/source.js";

export interface Runtime {
  readonly config: EnforcerConfig;
  readonly accounts: AccountClients;
  /** The policy from `source` (default: POLICY_SOURCE), cached for POLICY_CACHE_TTL_SECONDS. */
  readonly loadPolicy: (source?: string) => Promise<Policy>;
  /** Organization membership and OU ancestry, cached for ORGANIZATION_CACHE_TTL_SECONDS. */
  readonly organization: OrganizationDirectory;
}

export interface RuntimeOptions {
  /** Region of the STS, SSM and S3 clients; by default the SDK's (AWS_REGION, profile). The CLI sets it. */
  readonly region?: string;
}

export function createRuntime(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: RuntimeOptions = {},
): Runtime {
  const config = readConfig(env);
  const clientConfig = {
    maxAttempts: config.maxAttempts,
    retryMode: "adaptive",
    ...(options.region === undefined ? {} : { region: options.region }),
  };
  const sts = new STSClient(clientConfig);
  // Built on first use: most deployments read the policy from only one kind of source.
  let ssm: SSMClient | undefined;
  // S3 and Organizations code is imported on first use, not only constructed then: a policy in SSM or a file never
  // needs S3, and only ORGANIZATION_CHECK=on or organizationalUnits rules need Organizations. In the split Lambda
  // bundles each import is a chunk that cold starts without that need never load (see scripts/build.mjs).
  const s3 = onFirstUse(async () => (await import("./gateways/s3-objects.js")).connectS3(clientConfig));
  const organizations = onFirstUse(async () =>
    (await import("./gateways/organizations-gateway.js")).connectOrganizations(clientConfig),
  );
  const load = cachedPolicyLoader(
    { ssm: () => (ssm ??= new SSMClient(clientConfig)), s3 },
    config.policyCacheTtlSeconds,
  );
  return {
    config,
    accounts: new AccountClients({
      sts,
      memberRoleName: config.memberRoleName,
      maxAttempts: config.maxAttempts,
    }),
    loadPolicy: (source) => load(source ?? config.policySource),
    organization: new OrganizationDirectory(organizations, {
      ttlSeconds: config.organizationCacheTtlSeconds,
    }),
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

/**
 * Middy middleware: each invocation's function ARN names the home account, so no STS call is needed to tell home
 * from member accounts.
 */
export function learnHomeAccount(runtime: Runtime): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: (request) => {
      const home = accountOfFunctionArn(request.context.invokedFunctionArn);
      if (home) runtime.accounts.setHomeAccount(home);
    },
  };
}

/** The account of a Lambda function ARN (`arn:aws:lambda:region:account:function:name`). */
export function accountOfFunctionArn(arn: string | undefined): string | undefined {
  const account = arn?.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
