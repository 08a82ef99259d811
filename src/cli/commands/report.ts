// `flowlogs report`: one self-contained HTML page of coverage — from a live scan (scan's options, the one engine in
// audit mode) or from a run the org sweep stored in the report bucket (`--run s3://bucket/runs/run=<id>/`).
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { configuredRegion, readStoredRun } from "../../app/cli.js";
import { UsageError } from "../../errors.js";
import { parseRunLocation, runPrefix } from "../../reports/history.js";
import { renderHtmlReport } from "../../reports/html-report.js";
import { parseStoredRun } from "../../reports/stored-run.js";
import type { CliIo } from "../io.js";
import { exitCodeFor, formatReport, summaryLine } from "../report-format.js";
import { openScanSession } from "../scan-session.js";
import { parseScanArgs, reportFindings, runAccountRegions, sessionRunner } from "./scan.js";

export const REPORT_USAGE = `flowlogs report  [--accounts <id,…> | --org] [--regions <region,…> | --all-regions] [--policy <source>]
                 [--role-name <name>] [--concurrency <n>] [--findings] [--output <file.html>]
flowlogs report  --run s3://<bucket>/runs/run=<id>/ [--output <file.html>]`;

export async function reportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { run, output, rest } = takeReportOptions(argv);
  if (run !== undefined) {
    if (rest.length > 0)
      throw new UsageError(`--run reads a stored run and takes no scan option (got "${rest[0]}")`);
    return reportStoredRun(run, output, io);
  }
  const options = parseScanArgs(rest, io.env, REPORT_USAGE);
  if (rest.some((arg) => arg === "--format" || arg.startsWith("--format=")) && options.format !== "html")
    throw new UsageError(
      `flowlogs report writes HTML only (got --format ${options.format}); use scan for others`,
    );
  const session = await openScanSession(options, io);
  const runId = `cli-${randomUUID()}`;
  const outcomes = await runAccountRegions(session.targets, sessionRunner(session, options, runId, "audit"), {
    concurrency: options.concurrency,
    io,
    title: "scanning",
  });
  const html = formatReport("html", outcomes, {
    mode: "audit",
    runId,
    accounts: session.accounts,
    regions: session.regions,
  });
  deliver(html, output, io);
  io.err(summaryLine(outcomes, session.targets.length));
  return Math.max(exitCodeFor(outcomes), reportFindings(session, options, io));
}

async function reportStoredRun(location: string, output: string | undefined, io: CliIo): Promise<number> {
  const parsed = parseRunLocation(location);
  if (parsed === undefined)
    throw new UsageError(`--run must be s3://<bucket>/runs/run=<id>/ (got "${location}")`);
  const objects = await readStoredRun(parsed.bucket, runPrefix(parsed.runId), await configuredRegion(io.env));
  const run = parseStoredRun(objects, location);
  const html = renderHtmlReport({
    source: `run ${parsed.runId} (${location})`,
    generatedAt: new Date(),
    modes: run.modes,
    outcomes: run.outcomes,
    missing: run.missing,
  });
  deliver(html, output, io);
  const accountRegions = new Set(run.outcomes.map((o) => `${o.accountId}/${o.region}`)).size;
  io.err(summaryLine(run.outcomes, accountRegions));
  if (run.missing.length > 0)
    io.err(`warning: ${run.missing.length} account-region(s) of the run's manifest have no outcomes`);
  return exitCodeFor(run.outcomes);
}

/** The page on stdout, or in `--output`'s file. */
function deliver(html: string, output: string | undefined, io: CliIo): void {
  if (output === undefined) {
    io.out(html);
    return;
  }
  writeFileSync(output, html);
  io.err(`wrote ${output}`);
}

/** `--run` and `--output`/`-o` are report's own; everything else is scan's. */
function takeReportOptions(argv: readonly string[]): { run?: string; output?: string; rest: string[] } {
  const rest: string[] = [];
  const taken: { run?: string; output?: string } = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? "";
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    const name = flag === "--run" ? "run" : flag === "--output" || flag === "-o" ? "output" : undefined;
    if (name === undefined) {
      rest.push(arg);
      continue;
    }
    if (inline === undefined) index += 1;
    const value = inline ?? argv[index];
    if (value === undefined || value === "" || value.startsWith("-"))
      throw new UsageError(`${flag} needs a value\nusage: ${REPORT_USAGE}`);
    taken[name] = value;
  }
  return { ...taken, rest };
}
