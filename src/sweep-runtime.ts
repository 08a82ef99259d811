// Composition root of the org sweep coordinator: its configuration and SDK clients, created once per container.
// Apart from runtime.ts because the coordinator reads no policy and assumes no role: it needs no POLICY_SOURCE.
import { SQSClient } from "@aws-sdk/client-sqs";
import { readSweepConfig } from "./config.js";
import { OrganizationDirectory } from "./gateways/organization-directory.js";
import { connectOrganizations } from "./gateways/organizations-gateway.js";
import type { OrgSweepDeps } from "./use-cases/start-org-sweep.js";

export function createOrgSweepRuntime(
  env: Readonly<Record<string, string | undefined>> = process.env,
): OrgSweepDeps {
  const config = readSweepConfig(env);
  const clientConfig = { maxAttempts: config.maxAttempts, retryMode: "adaptive" };
  // The coordinator always lists the organization, so its Organizations client is imported up front.
  const organizations = connectOrganizations(clientConfig);
  return {
    config,
    sqs: new SQSClient(clientConfig),
    organization: new OrganizationDirectory(async () => organizations, {
      ttlSeconds: config.organizationCacheTtlSeconds,
    }),
  };
}
