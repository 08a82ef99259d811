// Environment read once at cold start; a missing or malformed value fails fast with its name. Only the app layer
// reads the environment: everything below it receives typed options.
import { type AccountId, isAccountId, isRegionName, type RegionName } from "../domain/resources.js";
import { ConfigurationError } from "../errors.js";
import { parseDestinationPatterns } from "../policy/destination-patterns.js";
import { POLICY_SOURCE_FORMS, type PolicySource, parsePolicySource } from "../policy/policy-source.js";
import type { AccountBoundary } from "../use-cases/run-enforcement.js";

export interface EnforcerConfig {
  /** Where the deployment's policy is kept (POLICY_SOURCE). */
  readonly policySource: PolicySource;
  readonly memberRoleName: string;
  readonly policyCacheTtlSeconds: number;
  /** Optional allow-list: accounts outside it are refused before any role is assumed. */
  readonly allowedAccounts?: readonly AccountId[];
  readonly maxAttempts: number;
  /** The function's own region (AWS_REGION), for triggers whose event does not name one. */
  readonly region?: RegionName;
  /**
   * ORGANIZATION_ID (o-…, set by an organization-wide deployment): act in the ACTIVE members of that organization.
   * Without it the function acts in its own account only, or in the accounts ALLOWED_ACCOUNTS lists.
   */
  readonly accountBoundary: AccountBoundary;
  /** ALLOWED_DESTINATIONS: destination ARN patterns no policy can send flow logs beyond. */
  readonly allowedDestinations?: readonly string[];
  /** How long the organization's account list and OU parents are cached (ORGANIZATION_CACHE_TTL_SECONDS). */
  readonly organizationCacheTtlSeconds: number;
  /** SECURITY_HUB_FINDINGS=on: keep a finding per non-compliant resource in its account-region's Security Hub. */
  readonly securityHubFindings: boolean;
  /** NOTIFICATION_TOPIC_ARN: one message per evaluated account-region with non-compliant outcomes. */
  readonly notificationTopicArn?: string;
  /** REPORT_BUCKET: where sweeps keep their outcomes (runs/run=…/account=…/region=…/outcomes.jsonl). */
  readonly reportBucket?: string;
  /** How long a resource a creation event names is waited for while EC2 does not show it (NEW_RESOURCE_WAIT_SECONDS). */
  readonly newResourceWaitSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

export function readConfig(env: Env = process.env): EnforcerConfig {
  const sourceText = required(env, "POLICY_SOURCE");
  const policySource = parsePolicySource(sourceText);
  if (policySource === undefined)
    throw new ConfigurationError(`POLICY_SOURCE must be ${POLICY_SOURCE_FORMS} (got "${sourceText}")`);
  const listed = env.ALLOWED_ACCOUNTS?.split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const badAccount = listed?.find((account) => !isAccountId(account));
  if (badAccount !== undefined)
    throw new ConfigurationError(`ALLOWED_ACCOUNTS must list 12-digit account IDs (got "${badAccount}")`);
  const allowed = listed?.filter(isAccountId);
  const region = env.AWS_REGION?.trim();
  const topicArn = notificationTopicArn(env);
  const bucket = reportBucket(env);
  return {
    policySource,
    memberRoleName: env.MEMBER_ROLE_NAME || "FlowLogEnforcerMemberRole",
    policyCacheTtlSeconds: positiveNumber(env, "POLICY_CACHE_TTL_SECONDS", 60),
    maxAttempts: positiveNumber(env, "AWS_MAX_ATTEMPTS", 5),
    ...(allowed === undefined || allowed.length === 0 ? {} : { allowedAccounts: allowed }),
    ...(region && isRegionName(region) ? { region } : {}),
    accountBoundary: accountBoundaryOf(env),
    ...allowedDestinationsOf(env),
    organizationCacheTtlSeconds: positiveNumber(env, "ORGANIZATION_CACHE_TTL_SECONDS", 300),
    securityHubFindings: onOff(env, "SECURITY_HUB_FINDINGS", false),
    ...(topicArn === undefined ? {} : { notificationTopicArn: topicArn }),
    ...(bucket === undefined ? {} : { reportBucket: bucket }),
    newResourceWaitSeconds: positiveNumber(env, "NEW_RESOURCE_WAIT_SECONDS", 20),
  };
}

/** An SNS topic ARN, or nothing when the variable is unset or empty (the template passes "" when it is off). */
function notificationTopicArn(env: Env): string | undefined {
  const value = env.NOTIFICATION_TOPIC_ARN?.trim();
  if (!value) return undefined;
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(value))
    throw new ConfigurationError(`NOTIFICATION_TOPIC_ARN must be an SNS topic ARN (got "${value}")`);
  return value;
}

/** An S3 bucket name, or nothing when the variable is unset or empty. */
function reportBucket(env: Env): string | undefined {
  const value = env.REPORT_BUCKET?.trim();
  if (!value) return undefined;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value))
    throw new ConfigurationError(`REPORT_BUCKET must be an S3 bucket name (got "${value}")`);
  return value;
}

/** The org sweep coordinator's settings: where to enqueue, and which regions are governed. */
export interface SweepConfig {
  readonly queueUrl: string;
  /** "all": every region each account has enabled, asked of the account (GOVERNED_REGIONS=ALL). */
  readonly governedRegions: readonly RegionName[] | "all";
  readonly maxAttempts: number;
  readonly organizationCacheTtlSeconds: number;
  /** The role assumed to ask member accounts for their regions (GOVERNED_REGIONS=ALL). */
  readonly memberRoleName: string;
  /** The coordinator's own region (AWS_REGION), where an account whose regions cannot be listed is swept. */
  readonly region?: RegionName;
  /** REPORT_BUCKET: the run's manifest is written there. */
  readonly reportBucket?: string;
}

export function readSweepConfig(env: Env = process.env): SweepConfig {
  const queueUrl = required(env, "SWEEP_QUEUE_URL");
  const bucket = reportBucket(env);
  if (!/^https?:\/\/\S+$/.test(queueUrl))
    throw new ConfigurationError(`SWEEP_QUEUE_URL must be an SQS queue URL (got "${queueUrl}")`);
  const region = env.AWS_REGION?.trim();
  const common = {
    queueUrl,
    maxAttempts: positiveNumber(env, "AWS_MAX_ATTEMPTS", 5),
    organizationCacheTtlSeconds: positiveNumber(env, "ORGANIZATION_CACHE_TTL_SECONDS", 300),
    memberRoleName: env.MEMBER_ROLE_NAME || "FlowLogEnforcerMemberRole",
    ...(region && isRegionName(region) ? { region } : {}),
    ...(bucket === undefined ? {} : { reportBucket: bucket }),
  };
  if (required(env, "GOVERNED_REGIONS").toUpperCase() === "ALL") return { ...common, governedRegions: "all" };
  const governedRegions = [
    ...new Set(
      required(env, "GOVERNED_REGIONS")
        .split(",")
        .map((region) => region.trim())
        .filter(Boolean),
    ),
  ];
  const regions = governedRegions.filter(isRegionName);
  if (regions.length !== governedRegions.length || regions.length === 0)
    throw new ConfigurationError(
      `GOVERNED_REGIONS must be ALL or comma-separated region names such as us-east-1,eu-west-1 (got "${env.GOVERNED_REGIONS}")`,
    );
  return { ...common, governedRegions: regions };
}

/** The policy audit's settings: where to notify (ALARM_TOPIC_ARN, empty for none). */
export interface PolicyAuditConfig {
  readonly alarmTopicArn?: string;
  readonly maxAttempts: number;
}

export function readPolicyAuditConfig(env: Env = process.env): PolicyAuditConfig {
  const topic = env.ALARM_TOPIC_ARN?.trim() ?? "";
  if (topic !== "" && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(topic))
    throw new ConfigurationError(
      `environment variable ALARM_TOPIC_ARN must be an SNS topic ARN (got "${topic}")`,
    );
  return {
    ...(topic === "" ? {} : { alarmTopicArn: topic }),
    maxAttempts: positiveNumber(env, "AWS_MAX_ATTEMPTS", 5),
  };
}

/** EventEnforcerFunction's queue settings (template.yaml: EventQueue, TamperMarksTable, TamperWindowSeconds). */
export interface EventPathConfig {
  /** The queue the function consumes, where it defers re-checks to; unset for a direct-invoke-only deployment. */
  readonly eventQueueUrl?: string;
  /** The DynamoDB table of tamper marks; unset (or a zero window) turns the cross-batch window off. */
  readonly tamperMarksTable?: string;
  readonly tamperWindowSeconds: number;
  /** Time one evaluation may need once started; less left and it is deferred to a redelivery instead. */
  readonly evaluationReserveSeconds: number;
}

export function readEventPathConfig(env: Env = process.env): EventPathConfig {
  const queueUrl = env.EVENT_QUEUE_URL?.trim();
  const table = env.TAMPER_MARKS_TABLE?.trim();
  return {
    ...(queueUrl ? { eventQueueUrl: queueUrl } : {}),
    ...(table ? { tamperMarksTable: table } : {}),
    tamperWindowSeconds: positiveNumber(env, "TAMPER_WINDOW_SECONDS", 300),
    // Waiting for a new resource to show (NEW_RESOURCE_WAIT_SECONDS) plus a slow round of reads and a create, each
    // call bounded by the clients' request timeout (client-config.ts) and a few of its retries.
    evaluationReserveSeconds: positiveNumber(
      env,
      "EVALUATION_RESERVE_SECONDS",
      positiveNumber(env, "NEW_RESOURCE_WAIT_SECONDS", 20) + 70,
    ),
  };
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "")
    throw new ConfigurationError(`environment variable ${name} is required`);
  return value.trim();
}

function allowedDestinationsOf(env: Env): { allowedDestinations?: readonly string[] } {
  const parsed = parseDestinationPatterns(env.ALLOWED_DESTINATIONS ?? "");
  if (parsed.kind === "invalid")
    throw new ConfigurationError(`environment variable ALLOWED_DESTINATIONS ${parsed.problem}`);
  return parsed.patterns.length === 0 ? {} : { allowedDestinations: parsed.patterns };
}

/** The template sets ORGANIZATION_ID from its OrganizationId parameter: empty for a deployment that is not org-wide. */
function accountBoundaryOf(env: Env): AccountBoundary {
  // A switch that no longer exists must not be mistaken for protection that is still on.
  if (env.ORGANIZATION_CHECK !== undefined)
    throw new ConfigurationError(
      "environment variable ORGANIZATION_CHECK is no longer read: set ORGANIZATION_ID to the organization's ID (o-…)",
    );
  const organizationId = env.ORGANIZATION_ID?.trim() ?? "";
  if (organizationId === "") return { kind: "home-account" };
  if (!/^o-[a-z0-9]{10,32}$/.test(organizationId))
    throw new ConfigurationError(
      `environment variable ORGANIZATION_ID must be an organization ID such as o-a1b2c3d4e5 (got "${organizationId}")`,
    );
  return { kind: "organization", organizationId };
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (raw === "on" || raw === "true") return true;
  if (raw === "off" || raw === "false") return false;
  throw new ConfigurationError(`environment variable ${name} must be on or off (got "${env[name]}")`);
}

function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`environment variable ${name} must be a non-negative number (got "${raw}")`);
  return value;
}
