// Pure: outcomes in, coverage out. The one place that says which outcome kinds count as covered, which leave a
// resource uncovered and which take it out of the count — for metrics, notifications, findings, history and reports.
import { OUTCOMES, type Outcome, type OutcomeKind } from "../engine/enforce.js";

/**
 * `covered`: a compliant, delivering flow log exists (or was just created). `uncovered`: the policy wants a flow log
 * the resource does not have working. `excluded`: not counted — exempt by a rule, out of the policy's scope, or gone.
 */
export type CoverageClass = "covered" | "uncovered" | "excluded";

/** Exhaustive: a new outcome kind does not compile until it is classed here. */
export const COVERAGE_CLASS: Readonly<Record<OutcomeKind, CoverageClass>> = {
  created: "covered",
  compliant: "covered",
  "delivery-failing": "uncovered",
  "would-create": "uncovered",
  // Logged, but also to a destination the organization did not approve: not compliant until that flow log is gone.
  unapproved: "uncovered",
  failed: "uncovered",
  exempt: "excluded",
  "not-found": "excluded",
  ignored: "excluded",
};

/** The outcome kinds that leave a resource without a working, compliant flow log. */
export const NON_COMPLIANT: readonly OutcomeKind[] = OUTCOMES.filter(
  (kind) => COVERAGE_CLASS[kind] === "uncovered",
);

export function isNonCompliant(outcome: Pick<Outcome, "outcome">): boolean {
  return COVERAGE_CLASS[outcome.outcome] === "uncovered";
}

/** True for rows about a resource; false for the one row of an account-region that could not be reached. */
export function isResourceOutcome(outcome: Pick<Outcome, "resourceType">): boolean {
  return outcome.resourceType !== "AccountRegion";
}

export interface Coverage {
  readonly covered: number;
  /** Covered plus uncovered resources: those the policy wants a flow log on. */
  readonly inScope: number;
  /** `100 * covered / inScope`, one decimal; undefined when nothing is in scope. */
  readonly percent: number | undefined;
}

/**
 * Coverage of the resources among `outcomes`. An unreachable account-region's row counts for nothing: its resources
 * are unknown, which reports show as such rather than as 0 % or 100 %.
 */
export function coverageOf(outcomes: readonly Pick<Outcome, "outcome" | "resourceType">[]): Coverage {
  let covered = 0;
  let inScope = 0;
  for (const outcome of outcomes) {
    if (!isResourceOutcome(outcome)) continue;
    const coverageClass = COVERAGE_CLASS[outcome.outcome];
    if (coverageClass === "excluded") continue;
    inScope += 1;
    if (coverageClass === "covered") covered += 1;
  }
  return { covered, inScope, percent: percentOf(covered, inScope) };
}

export function percentOf(covered: number, inScope: number): number | undefined {
  return inScope === 0 ? undefined : Math.round((1000 * covered) / inScope) / 10;
}

/** Outcomes grouped by `key`, each group's coverage, in key order. */
export function coverageBy<T extends Pick<Outcome, "outcome" | "resourceType">>(
  outcomes: readonly T[],
  key: (outcome: T) => string,
): Array<{ readonly key: string } & Coverage> {
  const groups = new Map<string, T[]>();
  for (const outcome of outcomes) {
    const k = key(outcome);
    const group = groups.get(k);
    if (group) group.push(outcome);
    else groups.set(k, [outcome]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, group]) => ({ key: k, ...coverageOf(group) }));
}

/** How many outcomes of each kind, every kind listed (zeros included), in OUTCOMES order. */
export function outcomeCounts(outcomes: readonly Pick<Outcome, "outcome">[]): Record<OutcomeKind, number> {
  const counts = Object.fromEntries(OUTCOMES.map((kind) => [kind, 0])) as Record<OutcomeKind, number>;
  for (const outcome of outcomes) counts[outcome.outcome] += 1;
  return counts;
}
