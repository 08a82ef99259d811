// Doctor's rows in, the text of `--format table|json` out; plus the summary line and the exit code they imply.
import type { CheckRow } from "../engine/doctor/checks.js";
import type { DoctorReport } from "../use-cases/diagnose-destinations.js";
import { alignColumns } from "./report-format.js";

export const DOCTOR_FORMATS = ["table", "json"] as const;
export type DoctorFormat = (typeof DOCTOR_FORMATS)[number];

const ORDER = { fail: 0, warn: 1, pass: 2 } as const;

/** 2 when a check failed, else 0 (warnings are shown, not failed: they are checks doctor could not decide). */
export function doctorExitCode(report: DoctorReport): 0 | 2 {
  return report.summary.fail > 0 ? 2 : 0;
}

export function doctorSummary(report: DoctorReport, accountRegions: number): string {
  const { pass, warn, fail } = report.summary;
  return `${pass} passed, ${warn} warning(s), ${fail} failed: ${report.rows.length} check(s) over ${accountRegions} account-region(s)`;
}

export function formatDoctor(format: DoctorFormat, report: DoctorReport): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (report.rows.length === 0) return "no destinations to check\n";
  // Failures first, then by destination and check, so the table reads as a to-do list.
  const rows = [...report.rows].sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      a.destination.localeCompare(b.destination) ||
      a.check.localeCompare(b.check),
  );
  const table = alignColumns([
    ["STATUS", "CHECK", "DESTINATION", "WHERE", "DETAIL"],
    ...rows.map((row) => [row.status.toUpperCase(), row.check, row.destination, row.where, row.detail]),
  ]).split("\n");
  // Each fix on its own line under its row.
  return `${table
    .slice(0, -1)
    .flatMap((line, index) => {
      const row: CheckRow | undefined = index === 0 ? undefined : rows[index - 1];
      return row?.fix === undefined ? [line] : [line, `      fix: ${row.fix}`];
    })
    .join("\n")}\n`;
}
