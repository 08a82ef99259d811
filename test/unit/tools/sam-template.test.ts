// The local invoke reads template.yaml like `sam local invoke`: tags parsed, Globals merged, refs resolved.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findFunction, readTemplate } from "../../../tools/sam-template.js";

function templateFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "template-")), "template.yaml");
  writeFileSync(path, text);
  return path;
}

const TEMPLATE = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  PolicyParameterName: { Type: String, Default: /team/policy }
  Regions: { Type: CommaDelimitedList, Default: "us-east-1,eu-west-1" }
Globals:
  Function:
    Timeout: 30
    MemorySize: 256
    Environment:
      Variables:
        POLICY_SOURCE: !Sub ssm:\${PolicyParameterName}
        SHARED: from-globals
Resources:
  Queue: { Type: AWS::SQS::Queue }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: sweep-worker.handler
      Timeout: 900
      Environment:
        Variables:
          SHARED: from-function
          QUEUE_URL: !Ref Queue
          QUEUE_ARN: !GetAtt Queue.Arn
          REGIONS: !Join [",", !Ref Regions]
          LITERAL_PLACEHOLDER: !Sub "arn:\${!Partition}:s3:::bucket/\${AWS::AccountId}"
`;

describe("local template reading", () => {
  it("merges Globals with the function and resolves CloudFormation tags to local values", () => {
    const fn = findFunction(readTemplate(templateFile(TEMPLATE)), "Worker");

    expect(fn).toEqual({
      logicalId: "Worker",
      handler: "sweep-worker.handler",
      timeoutSeconds: 900,
      memoryMb: 256,
      environment: {
        POLICY_SOURCE: "ssm:/team/policy",
        SHARED: "from-function",
        QUEUE_URL: "Queue",
        QUEUE_ARN: "Queue",
        REGIONS: "us-east-1,eu-west-1",
        LITERAL_PLACEHOLDER: "arn:${Partition}:s3:::bucket/123456789012",
      },
      references: {
        QUEUE_URL: { logicalId: "Queue", type: "AWS::SQS::Queue", properties: {} },
        QUEUE_ARN: { logicalId: "Queue", type: "AWS::SQS::Queue", attribute: "Arn", properties: {} },
      },
      optionalVariables: [],
    });
  });

  it("evaluates !If with the template's conditions, from the parameters' defaults", () => {
    // Prepare
    const template = readTemplate(
      templateFile(`
Parameters:
  OrganizationId: { Type: String, Default: "" }
  Mode: { Type: String, Default: audit }
Conditions:
  OrganizationWide: !Not [!Equals [!Ref OrganizationId, ""]]
  Auditing: !And [!Equals [!Ref Mode, audit], !Condition NotOrg]
  NotOrg: !Not [!Condition OrganizationWide]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: fn.handler
      Environment:
        Variables:
          ORGANIZATION_CHECK: !If [OrganizationWide, "on", "off"]
          AUDITING: !If [Auditing, "yes", "no"]
`),
    );

    // Act
    const fn = findFunction(template, "Fn");

    // Assess
    expect(fn.environment).toEqual({ ORGANIZATION_CHECK: "off", AUDITING: "yes" });
    expect(fn.references).toEqual({});
  });

  it("names the variables the event enforcer can run without, so a direct invoke leaves them empty", () => {
    const fn = findFunction(readTemplate("template.yaml"), "EventEnforcerFunction");

    expect(fn.optionalVariables).toEqual(["EVENT_QUEUE_URL", "TAMPER_MARKS_TABLE"]);
    expect(Object.keys(fn.references)).toEqual(expect.arrayContaining([...fn.optionalVariables]));
  });

  it("reports that the org sweep's queue URL exists only in a deployed stack", () => {
    const fn = findFunction(readTemplate("template.yaml"), "OrgSweepFunction");

    expect(fn.references).toEqual({
      SWEEP_QUEUE_URL: { logicalId: "SweepQueue", type: "AWS::SQS::Queue", properties: expect.any(Object) },
    });
  });

  it("names the functions that exist when the logical ID is not one", () => {
    expect(() => findFunction(readTemplate(templateFile(TEMPLATE)), "Queue")).toThrow(
      "Queue is not a function in the template (functions: Worker)",
    );
  });

  it("reads every function of the project's template", () => {
    const template = readTemplate("template.yaml");

    for (const id of [
      "EventEnforcerFunction",
      "ConfigRuleFunction",
      "ConfigRemediationFunction",
      "OrgSweepFunction",
      "SweepWorkerFunction",
    ]) {
      const fn = findFunction(template, id);
      expect(fn.handler).toMatch(/^[a-z-]+\.handler$/);
      expect(fn.environment.POLICY_SOURCE ?? fn.environment.SWEEP_QUEUE_URL).toBeDefined();
    }
  });
});
