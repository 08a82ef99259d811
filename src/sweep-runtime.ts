// Composition root of the org sweep coordinator: its configuration and SDK clients, created once per container.
// Apart from runtime.ts because the coordinator reads no policy and assumes no role: it needs no POLICY_SOURCE.
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SQSClient } from "@aws-sdk/client-sqs";
import { readSweepConfig } from "./config.js";
import { OrganizationDirectory } from "./gateways/organizations-gateway.js";
import type { OrgSweepDeps } from "./use-cases/start-org-sweep.js";

export function createOrgSweepRuntime(
  env: Readonly<Record<string, string | undefined>> = process.env,
): OrgSweepDeps {
  const config = readSweepConfig(env);
  const clientConfig = { maxAttempts: config.maxAttempts, retryMode: "adaptive" };
  const organizations = new OrganizationsClient(clientConfig);
  return {
    config,
    sqs: new SQSClient(clientConfig),
    organization: new OrganizationDirectory(() => organizations, {
      ttlSeconds: config.organizationCacheTtlSeconds,
    }),
  };
}
