// OrgSweepFunction's wiring: the coordinator reads no policy, so it needs no POLICY_SOURCE — only the
// organization's accounts, the governed regions and the sweep queue, and with GOVERNED_REGIONS=ALL the member role to
// ask each account for its enabled regions.
import { SQSClient } from "@aws-sdk/client-sqs";
import { type AccountId, accountRegion, type RegionName } from "../domain/resources.js";
import { ConfigurationError } from "../errors.js";
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
  const { region } = config;
  if (config.governedRegions === "all" && region === undefined)
    throw new ConfigurationError(
      "GOVERNED_REGIONS=ALL needs AWS_REGION, where accounts are asked for their regions",
    );
  // Only GOVERNED_REGIONS=ALL asks accounts for their regions: STS, EC2 and the member-role cache are imported then.
  let regionLookup: Promise<(accountId: AccountId) => Promise<RegionName[]>> | undefined;
  const lookupRegions = async () => {
    const [{ STSClient }, { AccountClients }, { enabledRegionNames }] = await Promise.all([
      import("@aws-sdk/client-sts"),
      import("../gateways/account-clients.js"),
      import("../gateways/caller-session.js"),
    ]);
    const accounts = new AccountClients({
      sts: new STSClient(clientConfig),
      memberRoleName: config.memberRoleName,
      clientConfig: sdkClientConfig({ maxAttempts: config.maxAttempts }),
    });
    return async (accountId: AccountId) => {
      if (region === undefined) throw new ConfigurationError("AWS_REGION is not set");
      const target = accountRegion(accountId, region);
      return enabledRegionNames(await accounts.ec2For(target), target.partition);
    };
  };
  return {
    governedRegions: config.governedRegions,
    homeRegion: region,
    enabledRegionsOf: async (accountId) => {
      regionLookup ??= lookupRegions();
      return (await regionLookup)(accountId);
    },
    activeAccounts: () => directory.activeAccounts(),
    enqueue: (entries) => enqueueMessages(sqs, config.queueUrl, entries),
    ...(config.reportBucket === undefined
      ? {}
      : { history: reportHistory(config.reportBucket, clientConfig) }),
  };
}
