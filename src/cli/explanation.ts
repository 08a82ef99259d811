// The engine's explanation of one resource (engine/explain.ts) as text for a terminal or JSON for scripts. Formatting
// only: every fact and verdict shown comes from the engine.
import type { FlowLogSettings } from "../domain/flow-logs.js";
import type { FlowLogFindings, Verdict } from "../engine/coverage.js";
import { describeDestination } from "../engine/coverage.js";
import type { Explanation, RuleTrace } from "../engine/explain.js";
import type { Policy } from "../policy/schema.js";

export function renderExplanationText(explanation: Explanation): string {
  const { resource, placement, result } = explanation;
  const lines: string[] = [];
  const vpc = resource.type !== "VPC" && resource.vpcId ? ` in ${resource.vpcId}` : "";
  lines.push(
    `resource:   ${resource.type} ${resource.id}${vpc}, account ${placement.accountId}, region ${placement.region}`,
  );
  const tags = Object.entries(resource.tags).map(([key, value]) => `${key}=${value}`);
  lines.push(
    `tags:       ${tags.length === 0 ? "(none)" : tags.join(", ")}  [${tagsOrigin(explanation.tagsFrom)}]`,
  );
  if (explanation.rules.length > 0) {
    lines.push("rules (first match applies):");
    for (const trace of explanation.rules)
      lines.push(`  ${trace.index + 1}. ${trace.name}: ${ruleLine(trace)}`);
  }
  lines.push(...resultLines(result));
  if (explanation.subnetCoverage) lines.push(`note:       ${explanation.subnetCoverage}`);
  if (result.kind === "enforce")
    lines.push(`compliance: ${complianceLine(explanation.compliance, result.settings)}`);
  const coverage =
    explanation.coverage === undefined || result.kind === "out-of-scope"
      ? undefined
      : coverageLine(explanation.coverage);
  if (coverage !== undefined) lines.push(`coverage:   ${coverage}`);
  if (explanation.coverage?.findings !== undefined)
    lines.push(...findingLines(explanation.coverage.findings, explanation.unapprovedFlowLogs));
  return `${lines.join("\n")}\n`;
}

/** Unapproved and outdated flow logs on the resource, and what enforcement does about them. */
function findingLines(findings: FlowLogFindings, action: Explanation["unapprovedFlowLogs"]): string[] {
  const unapproved =
    action === "delete"
      ? "unapprovedFlowLogs is delete: enforcement deletes it once the resource is covered by a compliant flow log"
      : "unapprovedFlowLogs is report: it is reported, not deleted";
  return [
    ...findings.unapproved.map(
      (log) =>
        `unapproved: ${log.flowLogId} to ${log.destination} (not the policy's destination nor in approvedDestinations; ${unapproved})`,
    ),
    ...findings.outdated.map(
      (log) =>
        `outdated:   ${log.flowLogId} to ${log.destination} (created by the enforcer, no longer satisfies the policy; replaceOutdated: enforcement deletes it once a compliant flow log exists)`,
    ),
  ];
}

function tagsOrigin(from: Explanation["tagsFrom"]): string {
  if (from === "--tags") return "from --tags; no AWS call";
  if (from === "EC2") return "read from EC2 with the resource";
  return "not read: no rule matches on tags";
}

function ruleLine(trace: RuleTrace): string {
  switch (trace.result) {
    case "matches":
      return trace.exempt ? "MATCHES (exempt rule)" : "MATCHES";
    case "no-match":
      return `no match: ${trace.reason}`;
    case "not-reached":
      return "not reached (an earlier rule matched)";
    case "undecidable":
      return `cannot tell: ${trace.reason}`;
  }
}

function resultLines(result: Explanation["result"]): string[] {
  switch (result.kind) {
    case "out-of-scope":
      return [`result:     OUT OF SCOPE: ${result.reason}; no flow log is required`];
    case "exempt": {
      const why = result.reason === undefined ? "" : ` (${result.reason})`;
      const until = result.expires === undefined ? "" : ` until ${result.expires}`;
      return [`result:     EXEMPT by rule ${result.rule}${why}${until}: no flow log is required`];
    }
    case "error":
      return [`result:     CANNOT RESOLVE: ${result.reason}`];
    case "enforce":
      return [
        `result:     ENFORCE with ${result.rule === undefined ? "the defaults (no rule matches)" : `rule ${result.rule}`}${
          result.expiredExemption === undefined
            ? ""
            : ` (the exemption by rule ${result.expiredExemption.rule} expired on ${result.expiredExemption.expires})`
        }`,
        "settings:",
        ...settingsLines(result.settings).map(([key, value]) => `  ${key.padEnd(25)}${value}`),
      ];
  }
}

export function settingsLines(settings: FlowLogSettings): Array<[string, string]> {
  const { destination } = settings;
  const lines: Array<[string, string]> = [
    ["resourceType", settings.resourceType],
    ["destination.type", destination.type],
  ];
  if (destination.arn !== undefined) lines.push(["destination.arn", destination.arn]);
  if (destination.logGroupName !== undefined)
    lines.push(["destination.logGroupName", destination.logGroupName]);
  if (destination.deliverLogsPermissionArn !== undefined)
    lines.push(["deliverLogsPermissionArn", destination.deliverLogsPermissionArn]);
  if (destination.deliverCrossAccountRole !== undefined)
    lines.push(["deliverCrossAccountRole", destination.deliverCrossAccountRole]);
  lines.push(["trafficType", settings.trafficType]);
  lines.push(["maxAggregationInterval", String(settings.maxAggregationInterval)]);
  lines.push(["logFormat", settings.logFormat ?? "(AWS default format)"]);
  if (settings.destinationOptions !== undefined) {
    const { fileFormat, hiveCompatiblePartitions, perHourPartition } = settings.destinationOptions;
    lines.push([
      "destinationOptions",
      `fileFormat=${fileFormat}, hiveCompatiblePartitions=${hiveCompatiblePartitions}, perHourPartition=${perHourPartition}`,
    ]);
  }
  const tags = Object.entries(settings.tags).map(([key, value]) => `${key}=${value}`);
  lines.push(["tags", tags.length === 0 ? "(none)" : tags.join(", ")]);
  return lines;
}

function complianceLine(level: Policy["compliance"], settings: FlowLogSettings): string {
  const where = describeDestination(settings.destination);
  switch (level) {
    case "any":
      return "any: any ACTIVE flow log on the resource satisfies the policy";
    case "destination":
      return `destination: an ACTIVE flow log to ${where} whose traffic type covers ${settings.trafficType} satisfies the policy`;
    case "exact":
      return `exact: an ACTIVE flow log to ${where} with exactly these settings satisfies the policy`;
  }
}

/** The engine's verdict on the facts it read; exempt and out-of-scope are said by the result line already. */
function coverageLine(verdict: Verdict): string | undefined {
  switch (verdict.kind) {
    case "compliant":
      return `COVERED: ${verdict.reason} (${verdict.flowLogIds.join(", ")})`;
    case "delivery-failing":
      return `DELIVERY FAILING: ${verdict.reason} (${verdict.flowLogIds.join(", ")})`;
    case "missing": {
      const { remedy } = verdict;
      return `NOT COVERED: ${verdict.reason}; enforcement would create a ${remedy.resourceType} flow log on ${remedy.resourceId} to ${describeDestination(remedy.settings.destination)}`;
    }
    case "failed":
      return `CANNOT DECIDE: ${verdict.reason}`;
    case "ignored":
      return `IGNORED: ${verdict.reason}`;
    case "exempt":
      return undefined;
  }
}

/** The explanation as JSON for scripts: the same facts as the text. */
export function explanationJson(explanation: Explanation): string {
  return `${JSON.stringify(explanation, null, 2)}\n`;
}
