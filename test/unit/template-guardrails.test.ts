// The preventive guardrails (templates/guardrails.yaml, a nested stack of template.yaml): deployed only org-wide and
// when asked, Service Control Policies of the right shape, rendered with what template.yaml passes them, that
// except the enforcer's own writing roles from the flow-log deletion deny and nobody but the administrators from
// the exemption tag.
import { describe, expect, it } from "vitest";
import { lazyTransform } from "../support/sam-transform.js";
import {
  type CfnTemplate,
  checkNestedStackParameters,
  evaluateConditions,
  nestedStackParameters,
  nestedStacks,
  type ParameterValues,
} from "../support/template-checks.js";

const GUARDRAILS_TEMPLATE = "templates/guardrails.yaml";
const ADMINS = ["arn:aws:iam::*:role/SecurityAdmin", "arn:aws:iam::123456789012:role/BreakGlass"];
const DEPLOYMENT: ParameterValues = {
  OrganizationId: "o-exampleorg01",
  GuardrailTargetIds: "r-ab12,ou-ab12-11111111",
  GuardrailAdminRoleArns: ADMINS.join(","),
  MemberRoleName: "FlowLogEnforcerMemberRole",
  ExemptionTagKey: "flow-logs",
};

type Obj = Record<string, unknown>;

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string;
  readonly Condition: Record<string, Record<string, string | string[]>>;
}

/**
 * Renders what CloudFormation computes for the policies' Content: `Fn::Sub [text, vars]`, `Fn::Join`, and `Ref` to
 * a list parameter (given comma-separated, as the parent passes it).
 */
function render(value: unknown, parameters: ParameterValues): string | string[] {
  if (typeof value === "string") return value;
  const node = value as Obj;
  if (typeof node.Ref === "string") {
    const text = parameters[node.Ref] ?? "";
    return text.includes(",") || node.Ref.endsWith("Arns") || node.Ref.endsWith("Ids")
      ? text.split(",")
      : text;
  }
  if (Array.isArray(node["Fn::Join"])) {
    const [separator, parts] = node["Fn::Join"] as [string, unknown];
    const items = Array.isArray(parts)
      ? parts.flatMap((p) => render(p, parameters))
      : render(parts, parameters);
    return (Array.isArray(items) ? items : [items]).join(separator);
  }
  if (Array.isArray(node["Fn::Sub"])) {
    const [text, vars] = node["Fn::Sub"] as [string, Obj];
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const bound = vars[name];
      const rendered = bound === undefined ? (parameters[name] ?? `\${${name}}`) : render(bound, parameters);
      return Array.isArray(rendered) ? rendered.join(",") : rendered;
    });
  }
  if (typeof node["Fn::Sub"] === "string")
    return node["Fn::Sub"].replace(/\$\{([^}]+)\}/g, (_, name: string) => parameters[name] ?? name);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

describe("guardrails of template.yaml", { timeout: 60_000 }, () => {
  const transformedCentral = lazyTransform("template.yaml");
  const transformedGuardrails = lazyTransform(GUARDRAILS_TEMPLATE);
  const central = (): CfnTemplate => transformedCentral().template;
  const guardrails = (): CfnTemplate => transformedGuardrails().template;

  function guardrailsStack() {
    const stacks = nestedStacks(central()).filter(
      ([, r]) => r.Properties?.TemplateURL === GUARDRAILS_TEMPLATE,
    );
    expect(stacks).toHaveLength(1);
    const [, stack] = stacks[0] ?? [];
    if (stack === undefined) throw new Error(`template.yaml deploys no ${GUARDRAILS_TEMPLATE}`);
    return stack;
  }

  /** What the nested stack receives under DEPLOYMENT. */
  function passed(): ParameterValues {
    const conditions = evaluateConditions(central(), DEPLOYMENT);
    return nestedStackParameters(central(), guardrailsStack(), conditions, DEPLOYMENT);
  }

  /** A policy's Content, rendered and parsed, and what it is attached to. */
  function scp(id: string): { statements: Statement[]; targets: string[]; size: number; type: unknown } {
    const policy = guardrails().Resources?.[id];
    if (policy?.Type !== "AWS::Organizations::Policy") throw new Error(`${id} is not an SCP`);
    const parameters = passed();
    const content = render(policy.Properties?.Content, parameters);
    const text = Array.isArray(content) ? content.join(",") : content;
    const document = JSON.parse(text) as { Version: string; Statement: Statement[] };
    expect(document.Version).toBe("2012-10-17");
    const targets = render(policy.Properties?.TargetIds, parameters);
    return {
      statements: document.Statement,
      targets: Array.isArray(targets) ? targets : [targets],
      size: text.replace(/\s+/g, "").length,
      type: policy.Properties?.Type,
    };
  }

  it("deploys the guardrails only organization-wide and only when targets are named", () => {
    // Act
    const deployedWhen = (parameters: ParameterValues) =>
      evaluateConditions(central(), { ...DEPLOYMENT, ...parameters }).DeployGuardrails;

    // Assess
    expect(guardrailsStack().Condition).toBe("DeployGuardrails");
    expect(deployedWhen({})).toBe(true);
    expect(deployedWhen({ GuardrailTargetIds: "" })).toBe(false);
    expect(deployedWhen({ OrganizationId: "" })).toBe(false);
    expect(checkNestedStackParameters(guardrailsStack(), guardrails())).toEqual([]);
  });

  it("denies ec2:DeleteFlowLogs to everyone but the enforcer's writing roles and the administrators", () => {
    // Prepare: the roles that write flow logs are those attaching WriteFlowLogsPolicy, plus the member role (the
    // rendering leaves the partition as AWS::Partition).
    const writers = Object.entries(central().Resources ?? {})
      .filter(
        ([, r]) =>
          r.Type === "AWS::IAM::Role" &&
          JSON.stringify(r.Properties?.ManagedPolicyArns ?? []).includes('"WriteFlowLogsPolicy"'),
      )
      .map(([id]) => `${id}.Arn`);

    // Act
    const { statements, targets, size, type } = scp("DenyFlowLogDeletionPolicy");

    // Assess
    expect(type).toBe("SERVICE_CONTROL_POLICY");
    expect(writers.sort()).toEqual([
      "ConfigRemediationFunctionRole.Arn",
      "EventEnforcerFunctionRole.Arn",
      "SweepWorkerFunctionRole.Arn",
    ]);
    expect(statements).toEqual([
      {
        Sid: "DenyFlowLogDeletion",
        Effect: "Deny",
        Action: "ec2:DeleteFlowLogs",
        Resource: "*",
        Condition: { ArnNotLike: { "aws:PrincipalArn": expect.any(Array) } },
      },
    ]);
    const excepted = statements[0]?.Condition.ArnNotLike?.["aws:PrincipalArn"];
    expect([...(excepted ?? [])].sort()).toEqual(
      ["arn:AWS::Partition:iam::*:role/FlowLogEnforcerMemberRole", ...writers, ...ADMINS].sort(),
    );
    expect(targets).toEqual(["r-ab12", "ou-ab12-11111111"]);
    expect(size).toBeLessThanOrEqual(5120);
  });

  it("denies writing or removing the exemption tag to everyone but the administrators, the enforcer included", () => {
    // Act
    const { statements, targets, size } = scp("ProtectExemptionTagPolicy");

    // Assess
    expect(statements).toEqual([
      {
        Sid: "DenyExemptionTagWrites",
        Effect: "Deny",
        Action: ["ec2:CreateTags", "ec2:DeleteTags"],
        Resource: "*",
        Condition: {
          "ForAnyValue:StringEquals": { "aws:TagKeys": ["flow-logs"] },
          ArnNotLike: { "aws:PrincipalArn": ADMINS },
        },
      },
      {
        Sid: "DenyDeletingAllTagsOfExemptResources",
        Effect: "Deny",
        Action: "ec2:DeleteTags",
        Resource: "*",
        Condition: {
          Null: { "aws:TagKeys": "true", "aws:ResourceTag/flow-logs": "false" },
          ArnNotLike: { "aws:PrincipalArn": ADMINS },
        },
      },
    ]);
    expect(targets).toEqual(["r-ab12", "ou-ab12-11111111"]);
    expect(size).toBeLessThanOrEqual(5120);
  });

  it("refuses, by its Rules, targets without an organization or without administrators", () => {
    // Act
    const rule = transformedCentral().source as CfnTemplate & { Rules?: Record<string, unknown> };

    // Assess
    expect(JSON.stringify(rule.Rules?.GuardrailsNeedOrganizationAndAdmins)).toMatch(/OrganizationId/);
    expect(JSON.stringify(rule.Rules?.GuardrailsNeedOrganizationAndAdmins)).toMatch(/GuardrailAdminRoleArns/);
  });
});
