// OrgSweepFunction's wiring: the coordinator reads no policy and assumes no role, so it needs no POLICY_SOURCE —
// only the organization's accounts, the governed regions and the sweep queue.
import { SQSClient } from "@aws-sdk/client-sqs";
import { OrganizationDirectory } from "../gateways/organization-directory.js";
import { connectOrganizations } from "../gateways/organizations-gateway.js";
import { enqueueMessages } from "../gateways/sweep-queue.js";
import type { OrgSweepPorts } from "../use-cases/start-org-sweep.js";
import { sdkClientConfig } from "./client-config.js";
import { readSweepConfig } from "./config.js";
import { reportHistory } from "./report-history.js";

export function orgSweepFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): OrgSweepPorts {
  const config = readSweepConfig(env);
  const clientConfig = sdkClientConfig(config);
  // The coordinator always lists the organization, so its Organizations client is imported up front.
  const organizations = connectOrganizations(clientConfig);
  const directory = new OrganizationDirectory(async () => organizations, {
    ttlSeconds: config.organizationCacheTtlSeconds,
  });
  const sqs = new SQSClient(clientConfig);
  return {
    governedRegions: config.governedRegions,
    activeAccounts: () => directory.activeAccounts(),
    enqueue: (bodies) => enqueueMessages(sqs, config.queueUrl, bodies),
    ...(config.reportBucket === undefined
      ? {}
      : { history: reportHistory(config.reportBucket, clientConfig) }),
  };
}
