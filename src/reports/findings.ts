// Pure: an account-region's outcomes and the enforcer's findings already in its Security Hub in, the findings to
// import (AWS Security Finding Format) and those to mark RESOLVED out. Only what changed state is imported.
import type { AccountRegion, ResourceType } from "../domain/resources.js";
import type { EnforcementMode, Outcome, OutcomeKind } from "../engine/enforce.js";

export const PRODUCT_NAME = "vpc-flow-log-enforcer";
/** Every finding of the product carries it: GetFindings filters on it to read the enforcer's findings back. */
export const GENERATOR_ID = "vpc-flow-log-enforcer/flow-log-coverage";
/** Where the enforcer keeps its own fields in ProductFields (outcome, rule, mode, trigger). */
export const PRODUCT_FIELD_PREFIX = "vpc-flow-log-enforcer/";
/** BatchImportFindings and BatchUpdateFindings take at most 100 findings per call. */
export const MAX_FINDINGS_PER_CALL = 100;
/**
 * Security Hub deletes a finding 90 days after its UpdatedAt. A standing failure is imported again after this many
 * days without a change, so it stays visible for as long as it lasts.
 */
export const FINDING_REFRESH_DAYS = 30;

export type ComplianceStatus = "PASSED" | "WARNING" | "FAILED" | "NOT_AVAILABLE";
export type SeverityLabel = "INFORMATIONAL" | "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";
export type RecordState = "ACTIVE" | "ARCHIVED";

/**
 * What a finding says about a resource, per outcome kind. FAILED findings are non-compliant resources; PASSED
 * closes an earlier failure; RETIRED archives a finding whose resource is gone or no longer in scope.
 * Exhaustive: a new outcome kind does not compile until it is mapped here.
 */
export type FindingVerdict =
  | {
      readonly status: "FAILED";
      readonly severity: SeverityLabel;
      /** What the resource's owner should do (ASFF Remediation.Recommendation.Text). */
      readonly remediation: (outcome: Outcome) => string;
    }
  | { readonly status: "PASSED" }
  | { readonly status: "RETIRED" };

export const FINDING_VERDICT: Readonly<Record<OutcomeKind, FindingVerdict>> = {
  // No flow log the policy accepts, and the enforcer is not creating it (audit mode): Security Hub's own EC2.6
  // ("VPC flow logging should be enabled") is MEDIUM.
  "would-create": {
    status: "FAILED",
    severity: "MEDIUM",
    remediation: (outcome) =>
      `Create the ${outcome.remedy ?? "flow log the policy requires"}: run "flowlogs enforce" for this account and region, or set the policy's mode to enforce. If the resource must stay without one, exempt it with a policy rule.`,
  },
  // A flow log exists but AWS cannot deliver its records: as uncovered as no flow log, and only its owner can fix it.
  "delivery-failing": {
    status: "FAILED",
    severity: "MEDIUM",
    remediation: () =>
      "The flow log exists but AWS cannot deliver its records. Fix the destination: the bucket or KMS key policy must let delivery.logs.amazonaws.com write, or the CloudWatch Logs delivery role must trust vpc-flow-logs.amazonaws.com.",
  },
  // Traffic metadata also goes to a destination the organization did not approve: a possible exfiltration path,
  // rated above a missing flow log.
  unapproved: {
    status: "FAILED",
    severity: "HIGH",
    remediation: (outcome) =>
      `Delete the flow log(s) to unapproved destinations (${(outcome.unapprovedFlowLogs ?? []).map((log) => `${log.flowLogId} to ${log.destination}`).join(", ") || "see the outcome"}), or add the destination to the policy's approvedDestinations if it is sanctioned. With unapprovedFlowLogs: delete the enforcer removes them once the resource is covered.`,
  },
  // The enforcer tried and could not bring the resource to the policy: automation gave up, a person must act.
  failed: {
    status: "FAILED",
    severity: "HIGH",
    remediation: (outcome) =>
      `The enforcer could not bring the resource to the policy: ${outcome.reason ?? "see its logs"}. Check the member role's permissions and the destination, then run "flowlogs enforce".`,
  },
  created: { status: "PASSED" },
  compliant: { status: "PASSED" },
  exempt: { status: "PASSED" },
  "not-found": { status: "RETIRED" },
  ignored: { status: "RETIRED" },
};

/** ASFF resource types; a transit gateway attachment has none of its own. */
const ASFF_RESOURCE_TYPE: Readonly<Record<ResourceType, string>> = {
  VPC: "AwsEc2Vpc",
  Subnet: "AwsEc2Subnet",
  NetworkInterface: "AwsEc2NetworkInterface",
  TransitGateway: "AwsEc2TransitGateway",
  TransitGatewayAttachment: "Other",
};

/** The EC2 ARN path of each resource type (`arn:aws:ec2:region:account:<path>/<id>`). */
const ARN_PATH: Readonly<Record<ResourceType, string>> = {
  VPC: "vpc",
  Subnet: "subnet",
  NetworkInterface: "network-interface",
  TransitGateway: "transit-gateway",
  TransitGatewayAttachment: "transit-gateway-attachment",
};

/** The subset of the AWS Security Finding Format the enforcer writes; field names as ASFF spells them. */
export interface AsffFinding {
  readonly SchemaVersion: "2018-10-08";
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: string;
  readonly CompanyName: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly LastObservedAt: string;
  readonly Severity: { readonly Label: SeverityLabel };
  readonly FindingProviderFields: {
    readonly Severity: { readonly Label: SeverityLabel };
    readonly Types: readonly string[];
  };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation?: { readonly Recommendation: { readonly Text: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: ReadonlyArray<{
    readonly Type: string;
    readonly Id: string;
    readonly Partition: string;
    readonly Region: string;
  }>;
  readonly Compliance: { readonly Status: ComplianceStatus };
  readonly RecordState: RecordState;
}

/** What the enforcer needs to know of a finding already in Security Hub. */
export interface FindingState {
  readonly id: string;
  readonly status: ComplianceStatus | undefined;
  readonly recordState: RecordState | undefined;
  /** The outcome kind it was imported for (ProductFields), when it carries one. */
  readonly outcome: string | undefined;
  readonly createdAt: string | undefined;
  readonly updatedAt: string | undefined;
}

export interface FindingsPlan {
  readonly imports: readonly AsffFinding[];
  /** Findings that just passed: their workflow is set to RESOLVED (BatchUpdateFindings; providers cannot). */
  readonly resolve: readonly string[];
}

export interface FindingContext {
  readonly target: AccountRegion;
  readonly mode: EnforcementMode;
  readonly trigger: string;
  readonly now: Date;
}

/** `arn:aws:securityhub:<region>:<account>:product/<account>/default`: a custom integration's own product. */
export function defaultProductArn(target: AccountRegion): string {
  return `arn:${target.partition}:securityhub:${target.region}:${target.accountId}:product/${target.accountId}/default`;
}

/** One finding per account-region-resource, whatever triggered the evaluation: re-imports update it. */
export function findingId(target: Pick<AccountRegion, "accountId" | "region">, resourceId: string): string {
  return `${PRODUCT_NAME}/${target.accountId}/${target.region}/${resourceId}`;
}

export function resourceArn(target: AccountRegion, type: ResourceType, id: string): string {
  return `arn:${target.partition}:ec2:${target.region}:${target.accountId}:${ARN_PATH[type]}/${id}`;
}

/**
 * 1. skip rows that name no resource (an unreachable account-region has no Security Hub to write to)
 * 2. FAILED: import when there is no finding yet, it is archived, it passed, its outcome kind changed, or it was
 *    last updated FINDING_REFRESH_DAYS ago or more
 * 3. PASSED: import only over an ACTIVE finding that did not pass, and mark it RESOLVED — a resource that never
 *    failed gets no finding at all
 * 4. RETIRED: archive an ACTIVE finding
 * Nothing else is imported: a second identical run imports nothing.
 */
export function planFindings(
  outcomes: readonly Outcome[],
  current: ReadonlyMap<string, FindingState>,
  context: FindingContext,
): FindingsPlan {
  const imports: AsffFinding[] = [];
  const resolve: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.resourceType === "AccountRegion") continue;
    const id = findingId(context.target, outcome.resourceId);
    const previous = current.get(id);
    const verdict = FINDING_VERDICT[outcome.outcome];
    switch (verdict.status) {
      case "FAILED":
        if (needsFailedImport(previous, outcome.outcome, context.now))
          imports.push(findingOf(outcome, outcome.resourceType, previous, context, verdict));
        break;
      case "PASSED":
        if (previous?.recordState === "ACTIVE" && previous.status !== "PASSED") {
          imports.push(findingOf(outcome, outcome.resourceType, previous, context, verdict));
          resolve.push(id);
        }
        break;
      case "RETIRED":
        if (previous?.recordState === "ACTIVE")
          imports.push(findingOf(outcome, outcome.resourceType, previous, context, verdict));
        break;
    }
  }
  return { imports, resolve };
}

function needsFailedImport(previous: FindingState | undefined, kind: OutcomeKind, now: Date): boolean {
  if (previous === undefined) return true;
  if (previous.recordState !== "ACTIVE" || previous.status !== "FAILED" || previous.outcome !== kind)
    return true;
  const updated = previous.updatedAt === undefined ? Number.NaN : Date.parse(previous.updatedAt);
  return !(now.getTime() - updated < FINDING_REFRESH_DAYS * 24 * 60 * 60 * 1000);
}

const TYPES = ["Software and Configuration Checks/AWS Security Best Practices"] as const;
const TYPE_NAMES: Readonly<Record<ResourceType, string>> = {
  VPC: "VPC",
  Subnet: "Subnet",
  NetworkInterface: "Network interface",
  TransitGateway: "Transit gateway",
  TransitGatewayAttachment: "Transit gateway attachment",
};

function findingOf(
  outcome: Outcome,
  resourceType: ResourceType,
  previous: FindingState | undefined,
  context: FindingContext,
  verdict: FindingVerdict,
): AsffFinding {
  const { target, now } = context;
  const at = now.toISOString();
  const severity = verdict.status === "FAILED" ? verdict.severity : "INFORMATIONAL";
  const what = `${TYPE_NAMES[resourceType]} ${outcome.resourceId}`;
  const remediation = verdict.status === "FAILED" ? verdict.remediation(outcome) : undefined;
  return {
    SchemaVersion: "2018-10-08",
    Id: findingId(target, outcome.resourceId),
    ProductArn: defaultProductArn(target),
    ProductName: PRODUCT_NAME,
    CompanyName: PRODUCT_NAME,
    GeneratorId: GENERATOR_ID,
    AwsAccountId: target.accountId,
    Types: TYPES,
    CreatedAt: previous?.createdAt ?? at,
    UpdatedAt: at,
    LastObservedAt: at,
    Severity: { Label: severity },
    FindingProviderFields: { Severity: { Label: severity }, Types: TYPES },
    Title: truncate(titleOf(what, verdict), 256),
    Description: truncate(descriptionOf(outcome, context.mode), 1024),
    ...(remediation === undefined
      ? {}
      : { Remediation: { Recommendation: { Text: truncate(remediation, 512) } } }),
    ProductFields: {
      [`${PRODUCT_FIELD_PREFIX}outcome`]: outcome.outcome,
      [`${PRODUCT_FIELD_PREFIX}rule`]: outcome.rule ?? "(defaults)",
      [`${PRODUCT_FIELD_PREFIX}mode`]: context.mode,
      [`${PRODUCT_FIELD_PREFIX}trigger`]: context.trigger,
    },
    Resources: [
      {
        Type: ASFF_RESOURCE_TYPE[resourceType],
        Id: resourceArn(target, resourceType, outcome.resourceId),
        Partition: target.partition,
        Region: target.region,
      },
    ],
    Compliance: {
      Status: verdict.status === "RETIRED" ? (previous?.status ?? "NOT_AVAILABLE") : verdict.status,
    },
    RecordState: verdict.status === "RETIRED" ? "ARCHIVED" : "ACTIVE",
  };
}

function titleOf(what: string, verdict: FindingVerdict): string {
  switch (verdict.status) {
    case "FAILED":
      return `${what} is not covered by the VPC flow log the policy requires`;
    case "PASSED":
      return `${what} is covered by the VPC flow log the policy requires`;
    case "RETIRED":
      return `${what} is no longer evaluated for VPC flow log coverage`;
  }
}

function descriptionOf(outcome: Outcome, mode: EnforcementMode): string {
  const rule = outcome.rule === undefined ? "the policy's defaults" : `rule "${outcome.rule}"`;
  return `Outcome ${outcome.outcome} (${mode} mode), under ${rule}: ${outcome.reason ?? outcome.outcome}.`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
