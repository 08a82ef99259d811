// Reads a SAM template the way `sam local invoke` does: function handler, timeout, memory and environment
// (Globals + function), with CloudFormation tags (!Ref, !Sub, !GetAtt, …) parsed rather than choked on.
import { readFileSync } from "node:fs";
import { type CollectionTag, parse, type ScalarTag, YAMLMap, YAMLSeq } from "yaml";

export interface LocalFunction {
  readonly logicalId: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Record<string, string>;
  /**
   * Variables whose value names a resource of the template (`!Ref SweepQueue`, `!GetAtt Queue.Arn`): it exists
   * only in a deployed stack, so locally the value is the logical ID until something provides the real one.
   */
  readonly references: Readonly<Record<string, TemplateReference>>;
  /**
   * Variables the function can run without (the template's `Metadata.LocalInvokeOptionalVariables`): a direct
   * invoke leaves them empty rather than asking for a value only a deployed stack has.
   */
  readonly optionalVariables: readonly string[];
}

export interface TemplateReference {
  readonly logicalId: string;
  /** The resource's CloudFormation type, e.g. AWS::SQS::Queue. */
  readonly type: string;
  /** The attribute a `!GetAtt` reads (`Arn`); undefined for `!Ref` and `!Sub`. */
  readonly attribute?: string;
  /** The resource's Properties as written (unresolved), for `--local` to create it alike (a table's key schema). */
  readonly properties?: Readonly<Record<string, unknown>>;
}

const PSEUDO: Record<string, string> = {
  "AWS::Region": process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
  "AWS::AccountId": "123456789012",
  "AWS::Partition": "aws",
  "AWS::StackName": "local",
  "AWS::URLSuffix": "amazonaws.com",
  "AWS::NoValue": "",
};

/** `!Ref X` → { Ref: X }, `!Sub s` → { "Fn::Sub": s }, … the long form every consumer understands. */
function intrinsicTags(): Array<ScalarTag | CollectionTag> {
  const names = [
    "Ref",
    "Sub",
    "GetAtt",
    "Join",
    "Select",
    "Split",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "FindInMap",
    "ImportValue",
    "Base64",
    "Cidr",
    "GetAZs",
    "Condition",
    "Transform",
  ];
  const long = (name: string) => (name === "Ref" || name === "Condition" ? name : `Fn::${name}`);
  return names.flatMap(
    (name): Array<ScalarTag | CollectionTag> => [
      {
        tag: `!${name}`,
        resolve: (value: string) => ({ [long(name)]: name === "GetAtt" ? value.split(".") : value }),
      } as ScalarTag,
      {
        tag: `!${name}`,
        collection: "seq",
        nodeClass: YAMLSeq,
        resolve: (seq) => ({ [long(name)]: seq.toJSON() }),
      } as CollectionTag,
      {
        tag: `!${name}`,
        collection: "map",
        nodeClass: YAMLMap,
        resolve: (map) => ({ [long(name)]: map.toJSON() }),
      } as CollectionTag,
    ],
  );
}

/** A template that cannot be used, or a logical ID that is not one of its functions. */
export class TemplateError extends Error {
  override name = "TemplateError";
}

export function readTemplate(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf-8");
  } catch (error) {
    throw new TemplateError(
      `cannot read the template ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  let document: unknown;
  try {
    document = parse(text, { customTags: intrinsicTags() });
  } catch (error) {
    throw new TemplateError(`${path} is not valid YAML: ${error instanceof Error ? error.message : error}`);
  }
  if (typeof document !== "object" || document === null) throw new TemplateError(`${path} is not a template`);
  return document as Record<string, unknown>;
}

/** The logical IDs of the template's functions, in template order. */
export function functionIds(template: Record<string, unknown>): string[] {
  return Object.entries(record(template.Resources))
    .filter(([, value]) => record(value).Type === "AWS::Serverless::Function")
    .map(([id]) => id);
}

export function findFunction(template: Record<string, unknown>, logicalId: string): LocalFunction {
  const resources = record(template.Resources);
  const resource = record(resources[logicalId]);
  if (resource.Type !== "AWS::Serverless::Function") {
    throw new TemplateError(
      `${logicalId} is not a function in the template (functions: ${functionIds(template).join(", ")})`,
    );
  }
  const globals = record(record(template.Globals).Function);
  const properties = record(resource.Properties);
  const scope = resolutionScope(template);
  const resolve = (value: unknown) => resolveValue(value, scope);
  const variables = {
    ...record(record(globals.Environment).Variables),
    ...record(record(properties.Environment).Variables),
  };
  const handler = properties.Handler ?? globals.Handler;
  if (typeof handler !== "string") throw new TemplateError(`${logicalId} has no Handler`);
  const references: Record<string, TemplateReference> = {};
  for (const [name, value] of Object.entries(variables)) {
    const referenced = referencedResource(value, scope);
    if (referenced !== undefined) references[name] = referenced;
  }
  return {
    logicalId,
    handler,
    timeoutSeconds: Number(resolve(properties.Timeout ?? globals.Timeout ?? 3)),
    memoryMb: Number(resolve(properties.MemorySize ?? globals.MemorySize ?? 128)),
    environment: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value)])),
    references,
    optionalVariables: listOfStrings(record(resource.Metadata).LocalInvokeOptionalVariables),
  };
}

interface ResolutionScope {
  readonly parameters: Record<string, string>;
  readonly conditions: Record<string, unknown>;
  readonly resources: Record<string, unknown>;
}

function resolutionScope(template: Record<string, unknown>): ResolutionScope {
  return {
    parameters: Object.fromEntries(
      Object.entries(record(template.Parameters)).map(([name, parameter]) => [
        name,
        String(record(parameter).Default ?? ""),
      ]),
    ),
    conditions: record(template.Conditions),
    resources: record(template.Resources),
  };
}

/**
 * Like `sam local invoke`: parameters take their defaults, pseudo parameters local values, conditions are
 * evaluated from those, and a reference to a resource (which does not exist locally) gives its logical ID —
 * override it with `-n env.json` (or let `--local` create it).
 */
function resolveValue(value: unknown, scope: ResolutionScope): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  const node = record(value);
  const lookup = (name: string) => scope.parameters[name] ?? PSEUDO[name] ?? name;
  if (typeof node.Ref === "string") return lookup(node.Ref);
  if ("Fn::Sub" in node) {
    const sub = node["Fn::Sub"];
    const [text, vars] = Array.isArray(sub) ? [String(sub[0]), record(sub[1])] : [String(sub), {}];
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_whole, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return resolveValue(vars[name], scope);
      return name.includes(".") ? (name.split(".")[0] ?? name) : lookup(name);
    });
  }
  if (Array.isArray(node["Fn::GetAtt"])) return String(node["Fn::GetAtt"][0]);
  if (Array.isArray(node["Fn::Join"])) {
    const [separator, parts] = node["Fn::Join"];
    // !Join [",", !Ref SomeList]: a list parameter's default is already comma-separated.
    if (!Array.isArray(parts)) return separator === "," ? resolveValue(parts, scope) : "";
    return parts.map((part) => resolveValue(part, scope)).join(String(separator));
  }
  if (Array.isArray(node["Fn::If"])) {
    const [condition, whenTrue, whenFalse] = node["Fn::If"];
    return resolveValue(holds(String(condition), scope) ? whenTrue : whenFalse, scope);
  }
  return "";
}

/** A named condition of the template, evaluated with the parameters' defaults. */
function holds(name: string, scope: ResolutionScope): boolean {
  return evaluateCondition(scope.conditions[name], scope);
}

function evaluateCondition(value: unknown, scope: ResolutionScope): boolean {
  const node = record(value);
  if (typeof node.Condition === "string") return holds(node.Condition, scope);
  const operands = (key: string): unknown[] => {
    const list = node[key];
    return Array.isArray(list) ? list : [];
  };
  if ("Fn::Equals" in node) {
    const [left, right] = operands("Fn::Equals");
    return resolveValue(left, scope) === resolveValue(right, scope);
  }
  if ("Fn::Not" in node) return !evaluateCondition(operands("Fn::Not")[0], scope);
  if ("Fn::And" in node) return operands("Fn::And").every((operand) => evaluateCondition(operand, scope));
  if ("Fn::Or" in node) return operands("Fn::Or").some((operand) => evaluateCondition(operand, scope));
  return false;
}

/** The template resource a value names (`!Ref X`, `!GetAtt X.Arn`, `${X}` in a `!Sub`), if any. */
function referencedResource(value: unknown, scope: ResolutionScope): TemplateReference | undefined {
  const node = record(value);
  const named = (logicalId: string) => {
    const resource = record(scope.resources[logicalId]);
    return { logicalId, type: String(resource.Type ?? ""), properties: record(resource.Properties) };
  };
  if (typeof node.Ref === "string" && node.Ref in scope.resources) return named(node.Ref);
  const getAtt = node["Fn::GetAtt"];
  if (Array.isArray(getAtt) && String(getAtt[0]) in scope.resources)
    return { ...named(String(getAtt[0])), attribute: String(getAtt[1]) };
  if ("Fn::Sub" in node) {
    const sub = node["Fn::Sub"];
    const text = Array.isArray(sub) ? String(sub[0]) : String(sub);
    for (const match of text.matchAll(/\$\{([^!}][^}.]*)/g)) {
      const name = match[1] ?? "";
      if (name in scope.resources) return named(name);
    }
  }
  return undefined;
}

function listOfStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
