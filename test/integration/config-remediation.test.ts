// ConfigRemediationFunction end to end: the built bundle with the Automation step's payload, against moto.
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { credentialsForAccount, useMoto } from "../support/aws-env.js";
import {
  CENTRAL_BUCKET,
  CONFIG_RULE_POLICY,
  configRuleReport,
  createSubnet,
  createVpc,
  ec2Client,
  flowLogsOn,
  lambdaError,
  outcomesOf,
  policySourceFile,
} from "../support/config-moto.js";
import { type CallCounter, startCallCounter } from "../support/http-counter.js";
import { invokeFunction } from "../support/invoke.js";
import { SAMPLE_IDS, sampleEvent } from "../support/sample-events.js";

const motoEndpoint = useMoto();
const MEMBER_ACCOUNT = "222222222222";
const policySource = policySourceFile(CONFIG_RULE_POLICY);
const env = { POLICY_SOURCE: policySource, MEMBER_ROLE_NAME: "ConfigRemediationMemberRole" };
let counter: CallCounter;

beforeAll(async () => {
  await new S3Client({ region: "us-east-1", forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: CENTRAL_BUCKET }),
  );
  counter = await startCallCounter(motoEndpoint());
});

afterEach(() => {
  counter.reset();
});

function remediate(payload: unknown, functionEnv: Record<string, string> = env) {
  return invokeFunction("ConfigRemediationFunction", payload, {
    env: functionEnv,
    processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
  });
}

function evaluate(event: unknown) {
  return invokeFunction("ConfigRuleFunction", event, {
    env,
    processEnv: { AWS_ENDPOINT_URL: counter.endpoint },
  });
}

describe("remediation of a non-compliant VPC", () => {
  it("makes the VPC compliant, and a second call changes nothing", async () => {
    // Prepare
    const client = ec2Client();
    const vpcId = await createVpc(client);
    const payload = sampleEvent("config-remediation-vpc.json", { [SAMPLE_IDS.vpc]: vpcId });
    const evaluation = sampleEvent("config-item-vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId });
    const before = await evaluate(evaluation);

    // Act
    const first = await remediate(payload);
    const after = await evaluate(evaluation);
    counter.reset();
    const second = await remediate(payload);

    // Assess
    expect(configRuleReport(before.output).evaluations[0]?.complianceType).toBe("NON_COMPLIANT");
    expect(first.exitCode, first.stderr).toBe(0);
    expect(outcomesOf(first.output)).toEqual([
      expect.objectContaining({ resourceId: vpcId, outcome: "created" }),
    ]);
    expect(configRuleReport(after.output).evaluations[0]?.complianceType).toBe("COMPLIANT");
    expect(outcomesOf(second.output)).toEqual([
      expect.objectContaining({ resourceId: vpcId, outcome: "compliant" }),
    ]);
    expect(counter.count({ action: "CreateFlowLogs" })).toBe(0);
    const logs = await flowLogsOn(client, vpcId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      LogDestinationType: "s3",
      LogDestination: `arn:aws:s3:::${CENTRAL_BUCKET}`,
      TrafficType: "ALL",
      Tags: [
        { Key: "ManagedBy", Value: "vpc-flow-log-enforcer" },
        { Key: "vpc-flow-log-enforcer:created-by", Value: "vpc-flow-log-enforcer" },
      ],
    });
  });

  it("remediates a subnet with one flow log on its VPC, resolving the type from the ID", async () => {
    // Prepare
    const client = ec2Client();
    const vpcId = await createVpc(client);
    const subnetId = await createSubnet(client, vpcId);

    // Act
    const result = await remediate({ ResourceId: subnetId });

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ resourceType: "Subnet", resourceId: subnetId, outcome: "created" }),
    ]);
    expect(await flowLogsOn(client, vpcId)).toHaveLength(1);
    expect(await flowLogsOn(client, subnetId)).toHaveLength(0);
  });

  it("refuses a member account's VPC before any AssumeRole: remediation acts in its own account only", async () => {
    // Prepare
    const member = ec2Client(await credentialsForAccount(motoEndpoint(), MEMBER_ACCOUNT));
    const vpcId = await createVpc(member);

    // Act
    const result = await remediate({ ResourceId: vpcId, AccountId: MEMBER_ACCOUNT, Region: "us-east-1" });

    // Assess
    expect(result.exitCode).toBe(1);
    expect(lambdaError(result.output)).toMatchObject({
      errorType: "EnforcementFailedError",
      errorMessage: expect.stringContaining(`account ${MEMBER_ACCOUNT} is not this deployment's own account`),
    });
    expect(await flowLogsOn(member, vpcId)).toHaveLength(0);
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(0);
    expect(counter.count({ service: "ec2" })).toBe(0);
  });

  it("fails the invocation with the reason when the flow log cannot be created", async () => {
    // Prepare: the policy sends flow logs to a bucket that does not exist
    const vpcId = await createVpc(ec2Client());
    const missingBucket = policySourceFile(CONFIG_RULE_POLICY.replace(CENTRAL_BUCKET, "no-such-bucket"));

    // Act
    const result = await remediate(
      { ResourceId: vpcId },
      { ...env, POLICY_SOURCE: missingBucket, ALLOWED_DESTINATIONS: "arn:aws:s3:::no-such-bucket" },
    );

    // Assess
    expect(result.exitCode).toBe(1);
    expect(lambdaError(result.output)).toMatchObject({
      errorType: "EnforcementFailedError",
      errorMessage: expect.stringContaining(
        `${vpcId}: creating a VPC flow log on ${vpcId} to arn:aws:s3:::no-such-bucket failed`,
      ),
    });
  });
});
