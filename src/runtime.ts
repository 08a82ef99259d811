// Composition root: configuration, SDK clients and caches created once per container and shared by every handler.
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { type EnforcerConfig, readConfig } from "./config.js";
import { AccountClients } from "./gateways/account-clients.js";
import type { Policy } from "./policy/schema.js";
import { cachedPolicyLoader } from "./policy/source.js";

export interface Runtime {
  readonly config: EnforcerConfig;
  readonly accounts: AccountClients;
  /** The policy from `source` (default: POLICY_SOURCE), cached for POLICY_CACHE_TTL_SECONDS. */
  readonly loadPolicy: (source?: string) => Promise<Policy>;
}

export function createRuntime(env: Readonly<Record<string, string | undefined>> = process.env): Runtime {
  const config = readConfig(env);
  const clientConfig = { maxAttempts: config.maxAttempts, retryMode: "adaptive" };
  const sts = new STSClient(clientConfig);
  // Built on first use: most deployments read the policy from only one kind of source.
  let ssm: SSMClient | undefined;
  let s3: S3Client | undefined;
  const load = cachedPolicyLoader(
    { ssm: () => (ssm ??= new SSMClient(clientConfig)), s3: () => (s3 ??= new S3Client(clientConfig)) },
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
  };
}

/** The account of a Lambda function ARN (`arn:aws:lambda:region:account:function:name`). */
export function accountOfFunctionArn(arn: string | undefined): string | undefined {
  const account = arn?.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
