// Pure: where a sweep's coverage history is kept in the report bucket (Hive-style keys Athena partitions on) and
// what is written there — one JSON Lines object per account-region, one manifest per run.
import type { AccountRegion } from "../domain/resources.js";
import type { EnforcementMode, Outcome } from "../engine/enforce.js";
import { COVERAGE_CLASS, type CoverageClass } from "./coverage.js";

export const RUNS_PREFIX = "runs/";
export const OUTCOMES_FILE = "outcomes.jsonl";
export const MANIFEST_FILE = "manifest.json";

/**
 * `runs/run=<runId>/`: everything one run wrote. The run id is percent-encoded as Hive encodes partition values, so
 * a `/` or `=` in a hand-picked run id cannot add a level to the key.
 */
export function runPrefix(runId: string): string {
  return `${RUNS_PREFIX}run=${encodeURIComponent(runId)}/`;
}

/** `runs/run=<runId>/account=<id>/region=<region>/outcomes.jsonl`: the same key on every retry, so it is overwritten. */
export function outcomesKey(runId: string, target: Pick<AccountRegion, "accountId" | "region">): string {
  return `${runPrefix(runId)}account=${target.accountId}/region=${target.region}/${OUTCOMES_FILE}`;
}

export function manifestKey(runId: string): string {
  return `${runPrefix(runId)}${MANIFEST_FILE}`;
}

/** One line of outcomes.jsonl: the outcome, its coverage class and the run it belongs to. */
export interface HistoryLine extends Outcome {
  readonly runId: string;
  readonly mode: EnforcementMode;
  /** covered | uncovered | excluded (src/reports/coverage.ts), so queries need no list of outcome kinds. */
  readonly coverage: CoverageClass;
  readonly evaluatedAt: string;
}

export function historyLines(
  outcomes: readonly Outcome[],
  context: { readonly runId: string; readonly mode: EnforcementMode; readonly evaluatedAt: Date },
): string {
  const evaluatedAt = context.evaluatedAt.toISOString();
  return outcomes
    .map((outcome) => {
      const line: HistoryLine = {
        ...outcome,
        runId: context.runId,
        mode: context.mode,
        coverage: COVERAGE_CLASS[outcome.outcome],
        evaluatedAt,
      };
      return `${JSON.stringify(line)}\n`;
    })
    .join("");
}

/** What the org sweep enqueued: the account-regions a complete run has one outcomes.jsonl for. */
export interface RunManifest {
  readonly runId: string;
  readonly startedAt: string;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly enqueued: number;
  /** Account-regions that never reached the queue (their outcomes will be missing). */
  readonly notEnqueued: number;
  readonly skipped?: ReadonlyArray<{ readonly accountId: string; readonly reason: string }>;
}

/**
 * `s3://bucket/runs/run=<id>/` (the trailing slash optional) → bucket and run id; undefined when the text is not a
 * run location.
 */
export function parseRunLocation(text: string): { bucket: string; runId: string } | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/runs\/run=([^/]+)\/?$/.exec(text.trim());
  if (match === null) return undefined;
  const [, bucket = "", encoded = ""] = match;
  try {
    return { bucket, runId: decodeURIComponent(encoded) };
  } catch {
    return undefined;
  }
}
