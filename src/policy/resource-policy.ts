// Pure: an IAM policy document (an S3 bucket policy, a KMS key policy, a role's trust policy) and one request in,
// whether the document allows it, explicitly denies it, does not allow it, or cannot tell. Evaluated the way IAM
// evaluates one resource-based policy: principals, Action/NotAction and Resource/NotResource with wildcards,
// conditions, and an explicit Deny that beats any Allow. What it cannot evaluate makes the answer undetermined,
// never allowed.

/** Who makes the request: an AWS service principal, or an IAM principal (a role or user ARN) of an account. */
export type RequestPrincipal =
  | { readonly kind: "service"; readonly service: string }
  | { readonly kind: "aws"; readonly accountId: string; readonly arn: string };

/**
 * What the request carries. Keys are condition keys (case-insensitive); a key set to `absent` is known not to be in
 * the request, while a key that is not listed at all is unknown to the caller, so a condition on it is undetermined.
 */
export type RequestContext = Readonly<Record<string, string | readonly string[] | boolean | "absent">>;

export interface AccessRequest {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  readonly context: RequestContext;
}

export type PolicyDecision =
  | { readonly effect: "allow"; readonly statements: readonly string[] }
  | { readonly effect: "explicit-deny"; readonly statement: string }
  /** No statement allows it; `nearMisses` are the Allow statements that apply but whose condition does not hold. */
  | { readonly effect: "implicit-deny"; readonly nearMisses: readonly string[] }
  /** A statement that applies has a condition (key or operator) this evaluator cannot decide. */
  | { readonly effect: "undetermined"; readonly reasons: readonly string[] };

/** The condition operators evaluated; anything else (Numeric*, Date*, IpAddress, Binary) is undetermined. */
const STRING_OPERATORS = new Set([
  "stringequals",
  "stringnotequals",
  "stringequalsignorecase",
  "stringnotequalsignorecase",
  "stringlike",
  "stringnotlike",
  "arnequals",
  "arnlike",
  "arnnotequals",
  "arnnotlike",
  "bool",
  "null",
]);

type Json = Record<string, unknown>;

interface Statement {
  readonly label: string;
  readonly raw: Json;
}

/** A policy document as stored (JSON text or parsed), or an error naming why it is not one. */
export function parsePolicyDocument(
  document: unknown,
): { readonly statements: readonly Statement[] } | { readonly error: string } {
  let parsed = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch (error) {
      return { error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  if (!isObject(parsed)) return { error: "not a JSON object" };
  const list = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  const statements: Statement[] = [];
  for (const [index, statement] of list.entries()) {
    if (!isObject(statement)) return { error: `Statement[${index}] is not an object` };
    const sid = typeof statement.Sid === "string" && statement.Sid !== "" ? ` (${statement.Sid})` : "";
    statements.push({ label: `Statement[${index}]${sid}`, raw: statement });
  }
  return { statements };
}

/** Evaluates one request against a parsed document. */
export function evaluatePolicy(
  policy: { readonly statements: readonly Statement[] },
  request: AccessRequest,
): PolicyDecision {
  const allows: string[] = [];
  const nearMisses: string[] = [];
  // An undecidable Deny leaves any answer open; an undecidable Allow only matters when nothing else allows.
  const undecidedDenies: string[] = [];
  const undecidedAllows: string[] = [];
  for (const statement of policy.statements) {
    const deny = statement.raw.Effect !== "Allow";
    const undecided = deny ? undecidedDenies : undecidedAllows;
    const applies = statementApplies(statement.raw, request);
    if (applies !== true) {
      if (applies !== false) undecided.push(`${statement.label}: ${applies.unknown}`);
      continue;
    }
    const condition = conditionHolds(statement.raw.Condition, request.context);
    if (condition === true) {
      if (deny) return { effect: "explicit-deny", statement: statement.label };
      allows.push(statement.label);
    } else if (condition !== false) {
      undecided.push(`${statement.label}: ${condition.unknown}`);
    } else if (!deny) {
      nearMisses.push(statement.label);
    }
  }
  if (undecidedDenies.length > 0)
    return { effect: "undetermined", reasons: [...undecidedDenies, ...undecidedAllows] };
  if (allows.length > 0) return { effect: "allow", statements: allows };
  if (undecidedAllows.length > 0) return { effect: "undetermined", reasons: undecidedAllows };
  return { effect: "implicit-deny", nearMisses };
}

type Tri = boolean | { readonly unknown: string };

function statementApplies(statement: Json, request: AccessRequest): Tri {
  if (statement.Effect !== "Allow" && statement.Effect !== "Deny")
    return { unknown: `Effect ${JSON.stringify(statement.Effect)} is neither Allow nor Deny` };
  const principal = principalMatches(statement, request.principal);
  if (principal !== true) return principal;
  const action = listMatches(statement, "Action", "NotAction", (pattern) =>
    globMatches(pattern, request.action, true),
  );
  if (action !== true) return action;
  // A trust policy has no Resource: it is about the role it is attached to.
  if (!("Resource" in statement) && !("NotResource" in statement)) return true;
  return listMatches(statement, "Resource", "NotResource", (pattern) =>
    pattern.includes("${") ? undefined : globMatches(pattern, request.resource, false),
  );
}

function principalMatches(statement: Json, principal: RequestPrincipal): Tri {
  if ("Principal" in statement) return principalListMatches(statement.Principal, principal);
  if ("NotPrincipal" in statement) {
    const listed = principalListMatches(statement.NotPrincipal, principal);
    return typeof listed === "boolean" ? !listed : listed;
  }
  // Identity policies have no principal; a resource policy statement without one is malformed.
  return { unknown: "no Principal" };
}

function principalListMatches(value: unknown, principal: RequestPrincipal): Tri {
  if (value === "*") return true;
  if (!isObject(value)) return { unknown: `Principal ${JSON.stringify(value)} is not understood` };
  const services = strings(value.Service).map((s) => s.toLowerCase());
  const aws = strings(value.AWS);
  if (aws.includes("*")) return true;
  if (principal.kind === "service") return services.includes(principal.service.toLowerCase());
  return aws.some(
    (entry) =>
      entry === principal.arn ||
      entry === principal.accountId ||
      entry === `arn:${principal.arn.split(":")[1] ?? "aws"}:iam::${principal.accountId}:root`,
  );
}

/** Whether Action/Resource lists the value (or NotAction/NotResource does not); undefined from `match` = unknown. */
function listMatches(
  statement: Json,
  positive: string,
  negative: string,
  match: (pattern: string) => boolean | undefined,
): Tri {
  const key = positive in statement ? positive : negative in statement ? negative : undefined;
  if (key === undefined) return { unknown: `neither ${positive} nor ${negative}` };
  const results = strings(statement[key]).map(match);
  const found = results.includes(true);
  if (!found && results.includes(undefined))
    return { unknown: `a ${key} entry uses a policy variable this check cannot substitute` };
  return key === positive ? found : !found;
}

function conditionHolds(condition: unknown, context: RequestContext): Tri {
  if (condition === undefined) return true;
  if (!isObject(condition)) return { unknown: "Condition is not an object" };
  const keys = lowerKeys(context);
  let unknown: { unknown: string } | undefined;
  // Every operator and every key must hold (AND); an unknown one matters only if nothing else is false.
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) return { unknown: `${operator} is not an object` };
    for (const [key, expected] of Object.entries(block)) {
      const result = operatorHolds(operator, key, strings(expected), keys.get(key.toLowerCase()));
      if (result === false) return false;
      if (result !== true) unknown ??= result;
    }
  }
  return unknown ?? true;
}

function operatorHolds(
  operator: string,
  key: string,
  expected: readonly string[],
  actual: RequestContext[string] | undefined,
): Tri {
  const { set, base, ifExists } = splitOperator(operator);
  if (!STRING_OPERATORS.has(base)) return { unknown: `condition operator ${operator} is not evaluated` };
  if (actual === undefined) return { unknown: `condition key ${key} is not known for this request` };
  if (expected.some((value) => value.includes("${")))
    return { unknown: `${operator} ${key} uses a policy variable this check cannot substitute` };
  const negated = base.includes("not");
  if (base === "null") {
    const wantsAbsent = expected.map((value) => value.toLowerCase()).includes("true");
    return (actual === "absent") === wantsAbsent;
  }
  if (actual === "absent") {
    if (ifExists || set === "forallvalues") return true;
    return negated;
  }
  const values = Array.isArray(actual) ? actual.map(String) : [String(actual)];
  const matchesOne = (value: string) => expected.some((pattern) => valueMatches(base, pattern, value));
  const positive =
    set === "forallvalues" ? values.every(matchesOne) : values.some(matchesOne) /* single or ForAnyValue */;
  return negated ? !positive : positive;
}

function splitOperator(operator: string): { set?: string; base: string; ifExists: boolean } {
  const [prefix, rest] = operator.includes(":") ? operator.split(":", 2) : [undefined, operator];
  const lower = (rest ?? "").toLowerCase();
  const ifExists = lower.endsWith("ifexists");
  return {
    ...(prefix === undefined ? {} : { set: prefix.toLowerCase() }),
    base: ifExists ? lower.slice(0, -"ifexists".length) : lower,
    ifExists,
  };
}

function valueMatches(base: string, pattern: string, value: string): boolean {
  switch (base.replace("not", "")) {
    case "stringequals":
      return pattern === value;
    case "stringequalsignorecase":
      return pattern.toLowerCase() === value.toLowerCase();
    case "stringlike":
      return globMatches(pattern, value, false);
    case "arnequals":
    case "arnlike":
      return arnMatches(pattern, value);
    case "bool":
      return pattern.toLowerCase() === value.toLowerCase();
    default:
      return false;
  }
}

/** ArnLike/ArnEquals compare the six colon-separated parts one by one, each with wildcards. */
function arnMatches(pattern: string, value: string): boolean {
  const parts = (arn: string) => {
    const fields = arn.split(":");
    return [...fields.slice(0, 5), fields.slice(5).join(":")];
  };
  const wanted = parts(pattern);
  const actual = parts(value);
  if (wanted.length !== 6 || actual.length !== 6 || value.split(":").length < 6) return false;
  return wanted.every((part, index) => globMatches(part, actual[index] ?? "", false));
}

/** IAM wildcards: `*` any run of characters, `?` one character. Actions compare case-insensitively. */
export function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = [...pattern]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function lowerKeys(context: RequestContext): Map<string, RequestContext[string]> {
  return new Map(Object.entries(context).map(([key, value]) => [key.toLowerCase(), value]));
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "boolean" || typeof value === "number") return [String(value)];
  return Array.isArray(value) ? value.flatMap(strings) : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
