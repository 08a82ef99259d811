// Pure: the engine's outcomes → AWS Config evaluations (compliance type, annotation, ordering timestamp).
import type { ComplianceType, ConfigEvaluation } from "../domain/config-evaluation.js";
import type { Outcome, OutcomeKind } from "../engine/enforce.js";
import { configTypeOf } from "./config-event.js";

/** Config's limit on Evaluation.Annotation. */
export const MAX_ANNOTATION_LENGTH = 256;

/**
 * `failed` has no entry: a resource the engine could not judge gets no evaluation at all rather than a made-up
 * one (NON_COMPLIANT would start automatic remediation on a guess). Config keeps its previous result.
 */
const COMPLIANCE: Readonly<Record<Exclude<OutcomeKind, "failed">, ComplianceType>> = {
  compliant: "COMPLIANT",
  // Only in enforce mode, which the evaluator never runs; the resource is covered now either way.
  created: "COMPLIANT",
  "would-create": "NON_COMPLIANT",
  // A flow log that delivers nothing records nothing.
  "delivery-failing": "NON_COMPLIANT",
  // A flow log ships traffic metadata to a destination the policy does not approve; the annotation (the outcome's
  // reason) leads with "N unapproved flow log(s): fl-… to <destination>".
  unapproved: "NON_COMPLIANT",
  exempt: "NOT_APPLICABLE",
  ignored: "NOT_APPLICABLE",
  "not-found": "NOT_APPLICABLE",
};

/** The evaluation for one outcome, or undefined when there is none to send (failed, or a type outside the rule). */
export function evaluationOf(outcome: Outcome, orderingTimestamp: Date): ConfigEvaluation | undefined {
  const resourceType = configTypeOf(outcome.resourceType);
  if (outcome.outcome === "failed" || resourceType === undefined) return undefined;
  return {
    resourceType,
    resourceId: outcome.resourceId,
    complianceType: COMPLIANCE[outcome.outcome],
    ...(outcome.reason === undefined ? {} : { annotation: truncateAnnotation(outcome.reason) }),
    orderingTimestamp,
  };
}

/** At most MAX_ANNOTATION_LENGTH characters, the cut marked with "…" so nobody mistakes it for the whole reason. */
export function truncateAnnotation(text: string): string {
  const characters = [...text];
  if (characters.length <= MAX_ANNOTATION_LENGTH) return text;
  return `${characters.slice(0, MAX_ANNOTATION_LENGTH - 1).join("")}…`;
}
