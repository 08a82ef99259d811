// `flowlogs enforce`: scan, then create the missing flow logs (and delete the unapproved or outdated ones the policy
// wants gone) through the same engine (mode enforce). It asks first on a terminal unless --yes, and refuses without
// --yes when nobody can answer (stdin not a terminal).
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
    const changing = plan.filter((outcome) => outcome.outcome === "would-create" || deletionsOf(outcome) > 0);
    if (changing.length === 0) {
      io.err(
        "nothing to change: every resource in scope has a compliant flow log, is exempt, or failed to read, and no flow log is to be deleted",
      );
      return report(plan, session, options, runId, "audit", io);
    }
    if (!(await confirm(changing, session.targets.length, io))) {
      io.err("aborted: nothing was written");
      return 1;
    }
  }
  const outcomes = await run("enforce", "enforcing");
  return report(outcomes, session, options, runId, "enforce", io);
}

/**
 * Shows what would be created and deleted, and asks; only "y" or "yes" proceeds. Flow logs and resources are counted
 * apart: one VPC flow log covers the VPC and its subnets.
 */
export async function confirm(
  changing: readonly Outcome[],
  accountRegions: number,
  io: CliIo,
): Promise<boolean> {
  io.err(formatTable(changing));
  const creating = changing.filter((outcome) => outcome.outcome === "would-create").length;
  const flowLogs = countPlannedFlowLogs(changing);
  const deleting = changing.reduce((sum, outcome) => sum + deletionsOf(outcome), 0);
  const actions = [
    ...(creating === 0 ? [] : [`create ${flowLogs} flow log(s) covering ${creating} resource(s)`]),
    ...(deleting === 0 ? [] : [`delete up to ${deleting} unapproved or outdated flow log(s) once covered`]),
  ].join(" and ");
  const answer = await io.ask(
    `${actions.charAt(0).toUpperCase()}${actions.slice(1)} in ${accountRegions} account-region(s)? [y/N] `,
  );
  return /^y(es)?$/i.test(answer.trim());
}

/** Flow logs enforcement would delete on this resource (audit mode: would-delete, outdated). */
function deletionsOf(outcome: Outcome): number {
  const unapproved = (outcome.unapprovedFlowLogs ?? []).filter((log) => log.action === "would-delete").length;
  return unapproved + (outcome.outdatedFlowLogIds?.length ?? 0);
}
