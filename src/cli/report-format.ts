// Enforcement outcomes in, the text of `--format table|json|csv|html` out; plus the summary and the exit code they imply.
import type { Outcome } from "../engine/enforce.js";
import { countNewFlowLogs, countOutcomes, outcomeWords } from "../engine/summary.js";
import { isNonCompliant } from "../reports/coverage.js";
import { renderHtmlReport } from "../reports/html-report.js";

export const OUTPUT_FORMATS = ["table", "json", "csv", "html"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ReportMeta {
  readonly mode: "audit" | "enforce";
  readonly runId: string;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  /** When the report was made (html); now when not given. */
  readonly generatedAt?: Date;
}

/**
 * 0 when every resource is covered, exempt or out of scope; 2 when some is not (or could not be checked): the
 * non-compliant outcome kinds of src/reports/coverage.ts.
 */
export function exitCodeFor(outcomes: readonly Outcome[]): 0 | 2 {
  return outcomes.some(isNonCompliant) ? 2 : 0;
}

/** `7 resources covered by 1 new flow log, 3 compliant, 1 exempt in 2 account-region(s)` */
export function summaryLine(outcomes: readonly Outcome[], accountRegions: number): string {
  return `${outcomeWords(outcomes)} in ${accountRegions} account-region(s)`;
}

export function formatReport(format: OutputFormat, outcomes: readonly Outcome[], meta: ReportMeta): string {
  switch (format) {
    case "table":
      return formatTable(outcomes);
    case "json":
      return `${JSON.stringify(
        { ...meta, summary: countOutcomes(outcomes), flowLogsCreated: countNewFlowLogs(outcomes), outcomes },
        null,
        2,
      )}\n`;
    case "csv":
      return formatCsv(outcomes);
    case "html":
      return renderHtmlReport({
        source: `${meta.mode === "audit" ? "scan" : "enforce run"} of ${meta.accounts.length} account(s) × ${meta.regions.length} region(s) (${meta.runId})`,
        generatedAt: meta.generatedAt ?? new Date(),
        modes: [meta.mode],
        outcomes,
      });
  }
}

const TABLE_HEADER = ["ACCOUNT", "REGION", "TYPE", "RESOURCE", "OUTCOME", "RULE", "DETAIL"] as const;

export function formatTable(outcomes: readonly Outcome[]): string {
  if (outcomes.length === 0) return "no resources in scope\n";
  const rows = outcomes.map((o) => [
    o.accountId,
    o.region,
    o.resourceType,
    o.resourceId,
    o.outcome,
    o.rule ?? "-",
    detailOf(o),
  ]);
  return alignColumns([[...TABLE_HEADER], ...rows]);
}

/** Left-aligned columns two spaces apart; the last column is not padded. */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** The reason (which names unapproved and replaced flow logs), the covering flow logs, and outdated ones left. */
function detailOf(outcome: Outcome): string {
  const ids = outcome.flowLogIds?.length ? ` [${outcome.flowLogIds.join(" ")}]` : "";
  const outdated = outcome.outdatedFlowLogIds?.length
    ? `; outdated, to be replaced: ${outcome.outdatedFlowLogIds.join(" ")}`
    : "";
  return `${outcome.reason ?? ""}${ids}${outdated}`.trim();
}

/** `fl-1>arn:aws:s3:::bucket:reported fl-2>…:deleted`: one field, space-separated like flowLogIds. */
function unapprovedField(outcome: Outcome): string {
  return (outcome.unapprovedFlowLogs ?? [])
    .map((log) => `${log.flowLogId}>${log.destination}:${log.action}`)
    .join(" ");
}

export const CSV_COLUMNS = [
  "accountId",
  "region",
  "resourceType",
  "resourceId",
  "outcome",
  "rule",
  "flowLogIds",
  "reason",
  "unapprovedFlowLogs",
  "replacedFlowLogIds",
  "outdatedFlowLogIds",
] as const;

/** RFC 4180: comma-separated, CRLF-free lines ending in \n, fields quoted when they hold `,`, `"` or a newline. */
export function formatCsv(outcomes: readonly Outcome[]): string {
  const lines = outcomes.map((o) =>
    [
      o.accountId,
      o.region,
      o.resourceType,
      o.resourceId,
      o.outcome,
      o.rule ?? "",
      (o.flowLogIds ?? []).join(" "),
      o.reason ?? "",
      unapprovedField(o),
      (o.replacedFlowLogIds ?? []).join(" "),
      (o.outdatedFlowLogIds ?? []).join(" "),
    ]
      .map(csvField)
      .join(","),
  );
  return [CSV_COLUMNS.join(","), ...lines].map((line) => `${line}\n`).join("");
}

export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
