// `flowlogs enforce`: scan, then create the missing flow logs through the same engine (mode enforce). It asks
// first on a terminal unless --yes, and refuses without --yes when nobody can answer (stdin not a terminal).
import { randomUUID } from "node:crypto";
import type { Outcome } from "../../engine/enforce.js";
import { countPlannedFlowLogs } from "../../engine/summary.js";
import { UsageError } from "../../errors.js";
import type { CliIo } from "../io.js";
import { formatTable } from "../report-format.js";
import { openScanSession } from "../scan-session.js";
import { parseScanArgs, report, runAccountRegions, SCAN_OPTIONS_USAGE, sessionRunner } from "./scan.js";

export const ENFORCE_USAGE = `flowlogs enforce ${SCAN_OPTIONS_USAGE} [--yes]`;

export async function enforceCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseScanArgs(argv, io.env, ENFORCE_USAGE);
  // Checked before any AWS call: a pipeline or CI job must say --yes to write.
  if (!options.yes && !io.stdinIsTTY)
    throw new UsageError("refusing to write without --yes: stdin is not a terminal, so nobody can confirm");
  const session = await openScanSession(options, io);
  if (session.policy.mode === "audit")
    io.err("note: the policy's mode is audit; flowlogs enforce writes anyway because you asked it to");
  const runId = `cli-${randomUUID()}`;
  const run = (mode: "audit" | "enforce", title: string) =>
    runAccountRegions(session.targets, sessionRunner(session, options, runId, mode), {
      concurrency: options.concurrency,
      io,
      title,
    });

  if (!options.yes) {
    const plan = await run("audit", "planning");
    const missing = plan.filter((outcome) => outcome.outcome === "would-create");
    if (missing.length === 0) {
      io.err(
        "nothing to create: every resource in scope has a compliant flow log, is exempt, or failed to read",
      );
      return report(plan, session, options, runId, "audit", io);
    }
    if (!(await confirm(missing, session.targets.length, io))) {
      io.err("aborted: nothing was written");
      return 1;
    }
  }
  const outcomes = await run("enforce", "enforcing");
  return report(outcomes, session, options, runId, "enforce", io);
}

/**
 * Shows what would be created and asks; only "y" or "yes" proceeds. Flow logs and resources are counted apart: one
 * VPC flow log covers the VPC and its subnets.
 */
export async function confirm(
  missing: readonly Outcome[],
  accountRegions: number,
  io: CliIo,
): Promise<boolean> {
  io.err(formatTable(missing));
  const flowLogs = countPlannedFlowLogs(missing);
  const answer = await io.ask(
    `Create ${flowLogs} flow log(s) covering these ${missing.length} resource(s) in ${accountRegions} account-region(s)? [y/N] `,
  );
  return /^y(es)?$/i.test(answer.trim());
}
