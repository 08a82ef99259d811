// What every trigger parser shares: the typed account and region schemas, and turning zod issues into an
// EventValidationError whose every line names the field path. Pure; no AWS calls.
import { type AccountId, isAccountId, isRegionName, type RegionName } from "../domain/resources.js";
import { EventValidationError } from "../errors.js";
import { POLICY_SOURCE_FORMS, type PolicySource, parsePolicySource } from "../policy/policy-source.js";
import * as z from "../zod.js";

export const accountIdSchema = z.custom<AccountId>(
  (value) => typeof value === "string" && isAccountId(value),
  {
    error: (issue) => (issue.input === undefined ? "required" : "must be a 12-digit account ID"),
  },
);

export const regionSchema = z.custom<RegionName>(
  (value) => typeof value === "string" && isRegionName(value),
  {
    error: (issue) => (issue.input === undefined ? "required" : "must be a region name such as eu-west-1"),
  },
);

/** A policy source named inside an event (a Config rule parameter, a remediation payload), parsed into its kind. */
export const policySourceSchema = z.pipe(
  z.string(),
  z.transform((text: string, context): PolicySource => {
    const source = parsePolicySource(text);
    if (source !== undefined) return source;
    context.issues.push({ code: "custom", message: `must be ${POLICY_SOURCE_FORMS}`, input: text });
    return z.NEVER;
  }),
);

/**
 * Parses `value` or throws EventValidationError for `trigger`. `field` says where `value` came from inside the
 * event ("" for the event itself), so each problem names its full path.
 */
export function parseOrThrow<T>(schema: z.ZodMiniType<T>, value: unknown, trigger: string, field = ""): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new EventValidationError(
    trigger,
    result.error.issues.map(
      (issue) =>
        `${[field, ...issue.path.map(String)].filter(Boolean).join(".") || "(event)"}: ${messageOf(issue, value)}`,
    ),
  );
}

/**
 * A field the event lacks is named as missing ("required"), whatever the schema would say about a wrong value
 * ("expected string, received undefined", "must be a 12-digit account ID").
 */
function messageOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.path.length === 0 || !isMissing(value, issue.path) || issue.message.startsWith("required"))
    return issue.message;
  return "required";
}

/** True when the object holding the last key of `path` exists and lacks that key (or holds undefined). */
function isMissing(value: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = value;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== "object" || node === null) return false;
    node = Reflect.get(node, key);
  }
  const last = path.at(-1);
  if (typeof node !== "object" || node === null || last === undefined) return false;
  return Reflect.get(node, last) === undefined;
}

/** JSON carried as a string inside an event (Config's invokingEvent, an SQS body). */
export function parseJsonField(text: string, trigger: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EventValidationError(trigger, [
      `${field}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    ]);
  }
}
