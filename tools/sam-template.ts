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

export function readTemplate(path: string): Record<string, unknown> {
  const document: unknown = parse(readFileSync(path, "utf-8"), { customTags: intrinsicTags() });
  if (typeof document !== "object" || document === null) throw new Error(`${path} is not a template`);
  return document as Record<string, unknown>;
}

export function findFunction(template: Record<string, unknown>, logicalId: string): LocalFunction {
  const resources = record(template.Resources);
  const resource = record(resources[logicalId]);
  if (resource.Type !== "AWS::Serverless::Function") {
    const functions = Object.entries(resources)
      .filter(([, value]) => record(value).Type === "AWS::Serverless::Function")
      .map(([id]) => id);
    throw new Error(`${logicalId} is not a function in the template (functions: ${functions.join(", ")})`);
  }
  const globals = record(record(template.Globals).Function);
  const properties = record(resource.Properties);
  const parameters = parameterDefaults(template);
  const resolve = (value: unknown) => resolveValue(value, parameters);
  const variables = {
    ...record(record(globals.Environment).Variables),
    ...record(record(properties.Environment).Variables),
  };
  const handler = properties.Handler ?? globals.Handler;
  if (typeof handler !== "string") throw new Error(`${logicalId} has no Handler`);
  return {
    logicalId,
    handler,
    timeoutSeconds: Number(resolve(properties.Timeout ?? globals.Timeout ?? 3)),
    memoryMb: Number(resolve(properties.MemorySize ?? globals.MemorySize ?? 128)),
    environment: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value)])),
  };
}

function parameterDefaults(template: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(template.Parameters)).map(([name, parameter]) => [
      name,
      String(record(parameter).Default ?? ""),
    ]),
  );
}

/**
 * Like `sam local invoke`: parameters take their defaults, pseudo parameters local values, and a reference to
 * a resource (which does not exist locally) its logical ID — override it with `-n env.json`.
 */
function resolveValue(value: unknown, parameters: Record<string, string>): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  const node = record(value);
  const lookup = (name: string) => parameters[name] ?? PSEUDO[name] ?? name;
  if (typeof node.Ref === "string") return lookup(node.Ref);
  if ("Fn::Sub" in node) {
    const sub = node["Fn::Sub"];
    const [text, vars] = Array.isArray(sub) ? [String(sub[0]), record(sub[1])] : [String(sub), {}];
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_whole, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return resolveValue(vars[name], parameters);
      return name.includes(".") ? (name.split(".")[0] ?? name) : lookup(name);
    });
  }
  if (Array.isArray(node["Fn::GetAtt"])) return String(node["Fn::GetAtt"][0]);
  if (Array.isArray(node["Fn::Join"])) {
    const [separator, parts] = node["Fn::Join"];
    // !Join [",", !Ref SomeList]: a list parameter's default is already comma-separated.
    if (!Array.isArray(parts)) return separator === "," ? resolveValue(parts, parameters) : "";
    return parts.map((part) => resolveValue(part, parameters)).join(String(separator));
  }
  return "";
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
