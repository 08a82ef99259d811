// ConfigRuleFunction end to end: the built bundle, run like `sam local invoke`, against moto (PutEvaluations in TESTMODE).
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { credentialsForAccount, type TestCredentials, useMoto } from "../support/aws-env.js";
import {
  CENTRAL_BUCKET,
  CONFIG_RULE_POLICY,
  configRuleReport,
  createS3FlowLog,
  createSubnet,
  createVpc,
  ec2Client,
  evaluationsById,
  lambdaError,
  OTHER_BUCKET,
  policySourceFile,
} from "../support/config-moto.js";
import { type CallCounter, startCallCounter } from "../support/http-counter.js";
import { invokeFunction } from "../support/invoke.js";
import { SAMPLE_IDS, sampleEvent } from "../support/sample-events.js";

const motoEndpoint = useMoto();
const FUNCTION = "ConfigRuleFunction";
const MEMBER_ACCOUNT = "222222222222";
const MEMBER_ROLE = "ConfigRuleMemberRole";
const SAMPLE_SUBNET = "subnet-0a1b2c3d4e5f60719";
const policySource = policySourceFile(CONFIG_RULE_POLICY);

/** The resources both accounts hold for every test of this file. */
const seeded = {
  compliantVpc: "",
  subnetOfCompliantVpc: "",
  vpcWithoutFlowLog: "",
  vpcLoggingElsewhere: "",
  exemptVpc: "",
  memberVpcWithoutFlowLog: "",
  memberCompliantVpc: "",
};
let memberCredentials: TestCredentials;
let counter: CallCounter;

beforeAll(async () => {
  const s3 = new S3Client({ region: "us-east-1", forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: CENTRAL_BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
  const home = ec2Client();
  seeded.compliantVpc = await createVpc(home);
  await createS3FlowLog(home, seeded.compliantVpc, CENTRAL_BUCKET);
  seeded.subnetOfCompliantVpc = await createSubnet(home, seeded.compliantVpc);
  seeded.vpcWithoutFlowLog = await createVpc(home);
  seeded.vpcLoggingElsewhere = await createVpc(home);
  await createS3FlowLog(home, seeded.vpcLoggingElsewhere, OTHER_BUCKET);
  seeded.exemptVpc = await createVpc(home, { "flow-logs": "disabled" });

  memberCredentials = await credentialsForAccount(motoEndpoint(), MEMBER_ACCOUNT);
  const member = ec2Client(memberCredentials);
  seeded.memberVpcWithoutFlowLog = await createVpc(member);
  seeded.memberCompliantVpc = await createVpc(member);
  await createS3FlowLog(member, seeded.memberCompliantVpc, CENTRAL_BUCKET);
  counter = await startCallCounter(motoEndpoint());
});

afterEach(() => {
  counter.reset();
});

/** Invokes the built bundle with its AWS calls going through the counter. */
function invoke(event: unknown) {
  return invokeFunction(FUNCTION, event, {
    // Not organization-wide: the member account is one ALLOWED_ACCOUNTS lists.
    env: {
      POLICY_SOURCE: policySource,
      MEMBER_ROLE_NAME: MEMBER_ROLE,
      ALLOWED_ACCOUNTS: `${SAMPLE_IDS.account},${MEMBER_ACCOUNT}`,
    },
    processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
  });
}

function countOf(action: string): number {
  return counter.count({ action });
}

describe("ScheduledNotification", () => {
  it("evaluates every VPC and subnet of the home account against the policy, in one PutEvaluations", async () => {
    // Prepare
    const event = sampleEvent("config-periodic.json");

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    const evaluations = evaluationsById(result.output);
    expect(evaluations.get(seeded.compliantVpc)).toMatchObject({
      resourceType: "AWS::EC2::VPC",
      complianceType: "COMPLIANT",
      orderingTimestamp: "2026-11-22T00:00:04.557Z",
    });
    expect(evaluations.get(seeded.subnetOfCompliantVpc)).toMatchObject({
      resourceType: "AWS::EC2::Subnet",
      complianceType: "COMPLIANT",
      annotation: `covered by its VPC ${seeded.compliantVpc}`,
    });
    expect(evaluations.get(seeded.vpcWithoutFlowLog)).toMatchObject({
      complianceType: "NON_COMPLIANT",
      annotation: expect.stringMatching(/^no ACTIVE flow log to arn:aws:s3:::central-flow-logs; found none/),
    });
    expect(evaluations.get(seeded.vpcLoggingElsewhere)).toMatchObject({
      complianceType: "NON_COMPLIANT",
      annotation: expect.stringMatching(
        /^no ACTIVE flow log to arn:aws:s3:::central-flow-logs; found 1 to another destination/,
      ),
    });
    expect(evaluations.get(seeded.exemptVpc)).toMatchObject({
      complianceType: "NOT_APPLICABLE",
      annotation: "exempt by rule sandboxes-exempt",
    });
    expect(evaluations.has(seeded.memberCompliantVpc)).toBe(false);
    expect(configRuleReport(result.output)).toMatchObject({ testMode: true, putEvaluationsCalls: 1 });
    expect(countOf("PutEvaluations")).toBe(1);
    expect([countOf("DescribeVpcs"), countOf("DescribeSubnets"), countOf("DescribeFlowLogs")]).toEqual([
      1, 1, 1,
    ]);
    expect(countOf("CreateFlowLogs")).toBe(0);
  });

  it("evaluates a member account's resources through the member role, and only them", async () => {
    // Prepare
    const event = sampleEvent("config-periodic.json", { [SAMPLE_IDS.account]: MEMBER_ACCOUNT });

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    const evaluations = evaluationsById(result.output);
    expect(evaluations.get(seeded.memberVpcWithoutFlowLog)?.complianceType).toBe("NON_COMPLIANT");
    expect(evaluations.get(seeded.memberCompliantVpc)?.complianceType).toBe("COMPLIANT");
    expect(evaluations.has(seeded.compliantVpc)).toBe(false);
    expect(configRuleReport(result.output).accountId).toBe(MEMBER_ACCOUNT);
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(1);
    expect(countOf("PutEvaluations")).toBe(1);
    expect(countOf("CreateFlowLogs")).toBe(0);
  });
});

describe("ConfigurationItemChangeNotification", () => {
  it("reports a created VPC without flow log NON_COMPLIANT and leaves it as it is", async () => {
    // Prepare
    const event = sampleEvent("config-item-vpc-created.json", { [SAMPLE_IDS.vpc]: seeded.vpcWithoutFlowLog });

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(configRuleReport(result.output).evaluations).toEqual([
      expect.objectContaining({
        resourceId: seeded.vpcWithoutFlowLog,
        complianceType: "NON_COMPLIANT",
        orderingTimestamp: "2026-11-20T09:14:52.318Z",
      }),
    ]);
    expect(countOf("PutEvaluations")).toBe(1);
    expect(countOf("CreateFlowLogs")).toBe(0);
  });

  it("reports a changed subnet COMPLIANT through its VPC, taking the VPC from the item", async () => {
    // Prepare
    const event = sampleEvent("config-item-subnet-changed.json", {
      [SAMPLE_IDS.vpc]: seeded.compliantVpc,
      [SAMPLE_SUBNET]: seeded.subnetOfCompliantVpc,
    });

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(configRuleReport(result.output).evaluations).toEqual([
      expect.objectContaining({
        resourceType: "AWS::EC2::Subnet",
        resourceId: seeded.subnetOfCompliantVpc,
        complianceType: "COMPLIANT",
      }),
    ]);
    // The subnet itself is read (existence, owner, current tags); its VPC comes from the item.
    expect(countOf("DescribeSubnets")).toBe(1);
  });

  it("reports a VPC with a flow log to a bucket outside approvedDestinations NON_COMPLIANT, naming it", async () => {
    // Prepare
    const home = ec2Client();
    const vpcId = await createVpc(home);
    await createS3FlowLog(home, vpcId, CENTRAL_BUCKET);
    await createS3FlowLog(home, vpcId, OTHER_BUCKET);
    const approving = policySourceFile(
      `${CONFIG_RULE_POLICY}\napprovedDestinations: ["arn:\${Partition}:s3:::archive-*"]\nunapprovedFlowLogs: delete\n`,
    );

    // Act
    const result = await invokeFunction(
      FUNCTION,
      sampleEvent("config-item-vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }),
      {
        env: { POLICY_SOURCE: approving, MEMBER_ROLE_NAME: MEMBER_ROLE },
        processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
      },
    );

    // Assess: the evaluator never writes, whatever unapprovedFlowLogs says.
    expect(result.exitCode, result.stderr).toBe(0);
    expect(configRuleReport(result.output).evaluations).toEqual([
      expect.objectContaining({
        resourceId: vpcId,
        complianceType: "NON_COMPLIANT",
        annotation: expect.stringMatching(
          new RegExp(
            `^1 unapproved flow log: fl-[0-9a-f]+ to arn:aws:s3:::${OTHER_BUCKET} \\(would-delete\\)`,
          ),
        ),
      }),
    ]);
    expect(countOf("DeleteFlowLogs")).toBe(0);
  });

  it("reports a member account's VPC through the member role", async () => {
    // Prepare
    const event = sampleEvent("config-item-vpc-created.json", {
      [SAMPLE_IDS.vpc]: seeded.memberCompliantVpc,
      [SAMPLE_IDS.account]: MEMBER_ACCOUNT,
    });

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(configRuleReport(result.output).evaluations).toEqual([
      expect.objectContaining({ resourceId: seeded.memberCompliantVpc, complianceType: "COMPLIANT" }),
    ]);
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(1);
  });

  it("reports a deleted VPC NOT_APPLICABLE without reading EC2", async () => {
    // Prepare
    const event = sampleEvent("config-item-deleted.json", { [SAMPLE_IDS.vpc]: seeded.vpcWithoutFlowLog });

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(configRuleReport(result.output).evaluations).toEqual([
      expect.objectContaining({
        resourceId: seeded.vpcWithoutFlowLog,
        complianceType: "NOT_APPLICABLE",
        annotation: "configuration item status is ResourceDeleted",
      }),
    ]);
    expect(counter.calls()).toEqual([{ service: "config", action: "PutEvaluations" }]);
  });
});

describe("OversizedConfigurationItemChangeNotification", () => {
  it("reads the subnet's VPC from EC2 and reports the subnet COMPLIANT through it", async () => {
    // Prepare
    const event = sampleEvent("config-item-oversized.json", { [SAMPLE_SUBNET]: seeded.subnetOfCompliantVpc });

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(configRuleReport(result.output).evaluations).toEqual([
      expect.objectContaining({
        resourceId: seeded.subnetOfCompliantVpc,
        complianceType: "COMPLIANT",
        annotation: `covered by its VPC ${seeded.compliantVpc}`,
      }),
    ]);
    expect(countOf("DescribeSubnets")).toBe(1);
  });

  it("reports a subnet that no longer exists NOT_APPLICABLE, like a deleted item", async () => {
    // Prepare
    const event = sampleEvent("config-item-oversized.json", { [SAMPLE_SUBNET]: "subnet-0fffffffffffffff1" });

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(configRuleReport(result.output).evaluations).toEqual([
      expect.objectContaining({
        resourceId: "subnet-0fffffffffffffff1",
        complianceType: "NOT_APPLICABLE",
        annotation: expect.stringContaining("does not exist"),
      }),
    ]);
    expect(countOf("DescribeFlowLogs")).toBe(0);
  });
});

describe("malformed events", () => {
  it("fails with a message naming the problem and calls no AWS API", async () => {
    // Prepare
    const event = { ...sampleEvent("config-periodic.json"), invokingEvent: "{messageType: Scheduled" };

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.exitCode).toBe(1);
    expect(lambdaError(result.output)).toMatchObject({
      errorType: "EventValidationError",
      errorMessage: expect.stringMatching(/^malformed Config rule event: invokingEvent: not valid JSON/),
    });
    expect(counter.calls()).toEqual([]);
  });
});
