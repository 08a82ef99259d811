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
import type { FindingsPort, NotificationPort, ReportOutputs } from "../use-cases/publish-outputs.js";
import type { AccountBoundary, EnforcementPorts } from "../use-cases/run-enforcement.js";
import { type SdkClientConfig, sdkClientConfig } from "./client-config.js";
import { onFirstUse } from "./on-first-use.js";

export { onFirstUse };

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
  /**
   * Attempts per Organizations call when not `maxAttempts`. Organizations has one request rate for the whole
   * organization, shared by every container, so a lookup may have to wait out many throttled attempts.
   */
  readonly organizationsMaxAttempts?: number | undefined;
  /** The caller's account when known up front (the CLI's identity); Lambda learns it from its context. */
  readonly homeAccountId?: AccountId | undefined;
  /** Keep Security Hub findings in each account-region evaluated (SECURITY_HUB_FINDINGS, `--findings`). */
  readonly securityHubFindings?: boolean | undefined;
  /** The SNS topic notifications go to (NOTIFICATION_TOPIC_ARN); none when undefined. */
  readonly notificationTopicArn?: string | undefined;
  /** How long a resource a creation event names is waited for while EC2 does not show it; the engine's default if unset. */
  readonly newResourceWaitSeconds?: number | undefined;
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
  const organizationsConfig = sdkClientConfig({
    ...options,
    maxAttempts: options.organizationsMaxAttempts ?? options.maxAttempts,
  });
  const organizationsApi = onFirstUse(async () =>
    (await import("../gateways/organizations-gateway.js")).connectOrganizations(organizationsConfig),
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
    outputs: reportOutputs(options, accounts, clientConfig),
    organization: new OrganizationDirectory(organizationsApi, {
      ttlSeconds: options.organizationCacheTtlSeconds,
    }),
    allowedAccounts: options.allowedAccounts,
    accountBoundary: options.accountBoundary,
    allowedDestinations: options.allowedDestinations,
    now: () => new Date(),
    newResourceWaitMs:
      options.newResourceWaitSeconds === undefined ? undefined : options.newResourceWaitSeconds * 1000,
    loadPolicy: (source) => loadPolicy(source ?? options.policySource),
    isHomeAccount: (accountId) => accounts.isHome(accountId),
    flowLogsIn: async (target) => {
      await accounts.verifyAccess(target);
      return createEc2Gateway(await accounts.ec2For(target));
    },
    // CloudWatch Logs code is imported only when a remedy needs a log group prepared (a chunk of its own).
    logGroupsIn: async (target) => {
      const gateway = await import("../gateways/log-groups-gateway.js");
      const logs = await accounts.clientFor("logs", target, gateway.connectLogGroups);
      return gateway.createLogGroupsGateway(logs, target);
    },
  };
}

/**
 * The outputs the options turn on, each backed by a gateway imported on first use: Security Hub through each
 * account-region's client (its own account's credentials, as BatchImportFindings requires), SNS in the topic's region.
 */
function reportOutputs(
  options: EnforcerOptions,
  accounts: AccountClients,
  clientConfig: SdkClientConfig,
): ReportOutputs {
  const outputs: { findings?: FindingsPort; notifications?: NotificationPort } = {};
  if (options.securityHubFindings) {
    const securityHub = onFirstUse(async () =>
      (await import("../gateways/security-hub.js")).connectSecurityHub(accounts),
    );
    outputs.findings = {
      currentFindings: async (target, ids) => (await securityHub()).currentFindings(target, ids),
      applyFindings: async (target, plan) => (await securityHub()).applyFindings(target, plan),
    };
  }
  const topicArn = options.notificationTopicArn;
  if (topicArn !== undefined) {
    const sns = onFirstUse(async () =>
      (await import("../gateways/sns-notifications.js")).connectSns(clientConfig, topicArn),
    );
    outputs.notifications = { publish: async (notification) => (await sns()).publish(notification) };
  }
  return outputs;
}
