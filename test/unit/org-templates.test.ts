// The organization-wide wiring in template.yaml and templates/member.yaml, read the way CloudFormation reads them.
// cfn-lint checks both files against the resource schemas (npm run lint:template); these tests check intent.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readTemplate } from "../../tools/sam-template.js";

type Json = Record<string, unknown>;

function at(value: unknown, ...path: Array<string | number>): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function resource(template: Json, logicalId: string): Json {
  const found = at(template, "Resources", logicalId);
  if (typeof found !== "object" || found === null) throw new Error(`${logicalId} is not in the template`);
  return found as Json;
}

function statements(policies: unknown): Json[] {
  const list = Array.isArray(policies) ? policies : [];
  return list.flatMap((policy) => {
    const statement = at(policy, "Statement") ?? at(policy, "PolicyDocument", "Statement");
    return Array.isArray(statement) ? (statement as Json[]) : [];
  });
}

describe("member template", () => {
  it("lets only the listed central roles from inside the organization assume the member role", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const trust = at(resource(member, "FlowLogEnforcerMemberRole"), "Properties", "AssumeRolePolicyDocument");

    // Assess
    expect(at(trust, "Statement")).toEqual([
      {
        Effect: "Allow",
        Principal: { AWS: { Ref: "TrustedRoleArns" } },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalOrgID": { Ref: "OrganizationId" } } },
      },
    ]);
    expect(at(resource(member, "FlowLogEnforcerMemberRole"), "Properties", "RoleName")).toEqual({
      Ref: "MemberRoleName",
    });
  });

  it("creates the named member role in one region only, since IAM names are global", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const condition = resource(member, "FlowLogEnforcerMemberRole").Condition;

    // Assess
    expect(condition).toBe("OwnsGlobalResources");
    expect(at(member, "Conditions", "OwnsGlobalResources")).toEqual({
      "Fn::Equals": [{ Ref: "AWS::Region" }, { Ref: "GlobalResourcesRegion" }],
    });
  });

  it("tags flow logs only on creation and passes the delivery role only to the flow-logs service", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const bySid = new Map(
      statements(at(resource(member, "FlowLogEnforcerMemberRole"), "Properties", "Policies")).map((s) => [
        s.Sid,
        s,
      ]),
    );

    // Assess
    expect(bySid.get("TagFlowLogsOnCreate")).toMatchObject({
      Action: "ec2:CreateTags",
      Condition: { StringEquals: { "ec2:CreateAction": "CreateFlowLogs" } },
    });
    expect(bySid.get("PassDeliveryRoleToFlowLogs")).toMatchObject({
      Action: "iam:PassRole",
      Condition: { StringEquals: { "iam:PassedToService": "vpc-flow-logs.amazonaws.com" } },
    });
    expect([...bySid.values()].flatMap((s) => [s.Action].flat())).not.toContain("ec2:*");
  });

  it("forwards exactly the events the central rule routes to the enforcer", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");
    const central = readTemplate("template.yaml");

    // Act
    const forwarded = at(resource(member, "ForwardNetworkCallsRule"), "Properties", "EventPattern");
    const routed = at(
      resource(central, "EventEnforcerFunction"),
      "Properties",
      "Events",
      "OrganizationNetworkResourceCalls",
      "Properties",
    );

    // Assess
    expect(at(routed, "Pattern")).toEqual(forwarded);
    expect(at(routed, "EventBusName")).toEqual({ Ref: "CentralEventBus" });
  });
});

describe("central template", () => {
  it("accepts PutEvents on the central bus only from principals of the organization", () => {
    // Prepare
    const central = readTemplate("template.yaml");

    // Act
    const statement = at(resource(central, "CentralEventBusPolicy"), "Properties", "Statement");

    // Assess
    expect(statement).toMatchObject({
      Effect: "Allow",
      Action: "events:PutEvents",
      Condition: { StringEquals: { "aws:PrincipalOrgID": { Ref: "OrganizationId" } } },
    });
  });

  it("deploys the packaged member template to the targets and governed regions, trusting the acting functions", () => {
    // Prepare
    const central = readTemplate("template.yaml");
    const properties = at(resource(central, "MemberStackSet"), "Properties") as Json;

    // Act
    const parameters = new Map(
      (properties.Parameters as Json[]).map((p) => [p.ParameterKey, p.ParameterValue] as const),
    );

    // Assess
    expect(existsSync(String(properties.TemplateURL))).toBe(true);
    expect(properties).toMatchObject({
      PermissionModel: "SERVICE_MANAGED",
      AutoDeployment: { Enabled: true },
      StackInstancesGroup: [{ Regions: { Ref: "GovernedRegions" } }],
    });
    expect(at(parameters.get("TrustedRoleArns"), "Fn::Join", 1)).toEqual(
      expect.arrayContaining([
        { "Fn::GetAtt": ["EventEnforcerFunctionRole", "Arn"] },
        { "Fn::GetAtt": ["SweepWorkerFunctionRole", "Arn"] },
      ]),
    );
  });

  it("runs the worker on the sweep queue with partial batch responses, bounded concurrency and a DLQ", () => {
    // Prepare
    const central = readTemplate("template.yaml");

    // Act
    const worker = at(resource(central, "SweepWorkerFunction"), "Properties") as Json;
    const queue = at(resource(central, "SweepQueue"), "Properties") as Json;

    // Assess
    expect(at(worker, "Events", "SweepMessages", "Properties")).toMatchObject({
      Queue: { "Fn::GetAtt": ["SweepQueue", "Arn"] },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(worker.ReservedConcurrentExecutions).toEqual({ Ref: "SweepWorkerConcurrency" });
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": ["SweepDeadLetterQueue", "Arn"] },
      maxReceiveCount: 3,
    });
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * Number(worker.Timeout));
  });

  it("starts the sweep on an EventBridge Scheduler schedule with an empty request", () => {
    // Prepare
    const central = readTemplate("template.yaml");

    // Act
    const schedule = at(resource(central, "OrgSweepFunction"), "Properties", "Events", "Daily") as Json;

    // Assess
    expect(schedule.Type).toBe("ScheduleV2");
    expect(at(schedule, "Properties")).toMatchObject({
      ScheduleExpression: { Ref: "SweepSchedule" },
      Input: "{}",
    });
    expect(at(central, "Parameters", "SweepSchedule", "Default")).toBe("rate(1 day)");
  });
});
