// Enforcement outcomes in, the text of `--format table|json|csv` out; plus the summary and the exit code they imply.
import type { Outcome, OutcomeKind } from "../engine/enforce.js";
import { countNewFlowLogs, countOutcomes, outcomeWords } from "../engine/summary.js";

export const OUTPUT_FORMATS = ["table", "json", "csv"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ReportMeta {
  readonly mode: "audit" | "enforce";
  readonly runId: string;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
}

/** Outcomes that leave a resource without a working, compliant flow log (or unknown, when it could not be read). */
const NOT_COVERED: ReadonlySet<OutcomeKind> = new Set(["would-create", "delivery-failing", "failed"]);

/** 0 when every resource is covered, exempt or out of scope; 2 when some is not (or could not be checked). */
export function exitCodeFor(outcomes: readonly Outcome[]): 0 | 2 {
  return outcomes.some((outcome) => NOT_COVERED.has(outcome.outcome)) ? 2 : 0;
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

function detailOf(outcome: Outcome): string {
  const ids = outcome.flowLogIds?.length ? ` [${outcome.flowLogIds.join(" ")}]` : "";
  return `${outcome.reason ?? ""}${ids}`.trim();
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
    ]
      .map(csvField)
      .join(","),
  );
  return [CSV_COLUMNS.join(","), ...lines].map((line) => `${line}\n`).join("");
}

export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
