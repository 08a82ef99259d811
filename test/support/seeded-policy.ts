// The policy template.yaml seeds into SSM, rendered as CloudFormation would for given parameters: PolicyParameter's
// Fn::Sub with its variables, their Fn::If on the template's conditions, Refs to parameters and pseudo parameters.
import { readTemplate } from "../../tools/sam-template.js";
import { type CfnTemplate, evaluateConditions, type ParameterValues } from "./template-checks.js";

type Json = Record<string, unknown>;

const PSEUDO: Readonly<Record<string, string>> = { "AWS::Partition": "aws", "AWS::Region": "us-east-1" };

export function seededPolicyText(parameters: ParameterValues): string {
  const template = readTemplate("template.yaml") as CfnTemplate & Json;
  const conditions = evaluateConditions(template, parameters);
  const parameterValue = (name: string): string => {
    const given = parameters[name] ?? PSEUDO[name];
    if (given !== undefined) return given;
    const declared = (template.Parameters?.[name] as Json | undefined)?.Default;
    if (declared === undefined) throw new Error(`no value for ${name}`);
    return String(declared);
  };
  // The bucket the stack creates is named after CentralFlowLogBucketName.
  const resourceRef = (name: string) =>
    name === "CentralFlowLogBucket" ? parameterValue("CentralFlowLogBucketName") : parameterValue(name);
  const render = (value: unknown, variables: Readonly<Record<string, string>> = {}): string => {
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    const node = value as Json;
    if (typeof node.Ref === "string") return resourceRef(node.Ref);
    if (Array.isArray(node["Fn::If"])) {
      const [condition, whenTrue, whenFalse] = node["Fn::If"] as [string, unknown, unknown];
      return render(conditions[condition] ? whenTrue : whenFalse, variables);
    }
    if (node["Fn::Sub"] !== undefined) {
      const sub = node["Fn::Sub"];
      const [text, map] = Array.isArray(sub) ? (sub as [string, Json]) : [sub as string, {}];
      const own = Object.fromEntries(Object.entries(map).map(([key, inner]) => [key, render(inner)]));
      return text.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) =>
        literal === "!" ? `\${${name}}` : (own[name] ?? variables[name] ?? resourceRef(name)),
      );
    }
    throw new Error(`cannot render ${JSON.stringify(value)}`);
  };
  return render(template.Resources?.PolicyParameter?.Properties?.Value);
}
