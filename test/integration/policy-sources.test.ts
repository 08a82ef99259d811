// EventEnforcerFunction reading its policy where POLICY_SOURCE points, through the built bundle against moto. The
// YAML parser, the policy schema and the S3 client are chunks the bundle loads on first use, so these also prove
// that those chunks ship and load.
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { beforeAll, describe, expect, it } from "vitest";
import { useMoto } from "../support/aws-env.js";
import { invokeFunction } from "../support/invoke.js";
import { createVpc, ec2Client, flowLogsOn, outcomesOf } from "../support/moto-resources.js";
import { SAMPLE_IDS, sampleEvent } from "../support/sample-events.js";

useMoto();
const FUNCTION = "EventEnforcerFunction";
const POLICY_BUCKET = "org-config";
/** The deployment's destination guard, admitting the buckets these policies name. */
const ALLOWED_DESTINATIONS = "arn:aws:s3:::from-*";

// moto accepts bucket ARNs only, not bucket/prefix ones (../shared/moto-notes.md).
const policyTo = (bucket: string) => ({
  version: 1,
  defaults: {
    destination: { type: "s3", arn: `arn:\${Partition}:s3:::${bucket}` },
    trafficType: "REJECT",
  },
});

beforeAll(async () => {
  const s3 = new S3Client({ region: "us-east-1", forcePathStyle: true });
  for (const bucket of [POLICY_BUCKET, "from-ssm", "from-s3"])
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
});

async function vpcCreatedEvent() {
  const vpcId = await createVpc(ec2Client());
  return { vpcId, event: sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }) };
}

describe("policy sources", () => {
  it("reads a YAML policy from an SSM parameter, the deployed default", async () => {
    const ssm = new SSMClient({ region: "us-east-1" });
    const yaml = `# central flow logs\nversion: 1\ndefaults:\n  destination: { type: s3, arn: "arn:\${Partition}:s3:::from-ssm" }\n  trafficType: REJECT\n`;
    await ssm.send(new PutParameterCommand({ Name: "/flow-logs/policy", Value: yaml, Type: "String" }));
    ssm.destroy();
    const { vpcId, event } = await vpcCreatedEvent();

    const result = await invokeFunction(FUNCTION, event, {
      env: { POLICY_SOURCE: "ssm:/flow-logs/policy", ALLOWED_DESTINATIONS },
    });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ resourceId: vpcId, outcome: "created" }),
    ]);
    expect(await flowLogsOn(ec2Client(), vpcId)).toEqual([
      expect.objectContaining({
        LogDestination: "arn:aws:s3:::from-ssm",
        TrafficType: "REJECT",
      }),
    ]);
  });

  it("names the parameter's Version on every outcome line: the invocation after a change shows the new one", async () => {
    // Prepare
    const ssm = new SSMClient({ region: "us-east-1" });
    const policy = (traffic: string) =>
      `version: 1\ndefaults:\n  destination: { type: s3, arn: "arn:\${Partition}:s3:::from-ssm" }\n  trafficType: ${traffic}\n`;
    await ssm.send(
      new PutParameterCommand({ Name: "/versioned/policy", Value: policy("ALL"), Type: "String" }),
    );
    const before = await vpcCreatedEvent();
    const env = { POLICY_SOURCE: "ssm:/versioned/policy", ALLOWED_DESTINATIONS };

    // Act
    const first = await invokeFunction(FUNCTION, before.event, { env });
    await ssm.send(
      new PutParameterCommand({
        Name: "/versioned/policy",
        Value: policy("REJECT"),
        Type: "String",
        Overwrite: true,
      }),
    );
    ssm.destroy();
    const after = await vpcCreatedEvent();
    const second = await invokeFunction(FUNCTION, after.event, { env });

    // Assess
    const versionsOf = (logs: Array<Record<string, unknown>>) =>
      logs
        .filter((line) => line.message === "flow-log outcome")
        .map((line) => [line.policySource, line.policyVersion]);
    expect(versionsOf(first.logs)).toEqual([["ssm:/versioned/policy", "1"]]);
    expect(versionsOf(second.logs)).toEqual([["ssm:/versioned/policy", "2"]]);
    expect(await flowLogsOn(ec2Client(), after.vpcId)).toEqual([
      expect.objectContaining({ TrafficType: "REJECT" }),
    ]);
  });

  it("reads a JSON policy from an S3 object", async () => {
    const s3 = new S3Client({ region: "us-east-1", forcePathStyle: true });
    await s3.send(
      new PutObjectCommand({
        Bucket: POLICY_BUCKET,
        Key: "flow-logs/policy.json",
        Body: JSON.stringify(policyTo("from-s3")),
      }),
    );
    s3.destroy();
    const { vpcId, event } = await vpcCreatedEvent();

    const result = await invokeFunction(FUNCTION, event, {
      env: { POLICY_SOURCE: `s3://${POLICY_BUCKET}/flow-logs/policy.json`, ALLOWED_DESTINATIONS },
    });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(await flowLogsOn(ec2Client(), vpcId)).toEqual([
      expect.objectContaining({
        LogDestination: "arn:aws:s3:::from-s3",
        TrafficType: "REJECT",
      }),
    ]);
  });

  it("names the S3 object it cannot read, and writes nothing", async () => {
    const { vpcId, event } = await vpcCreatedEvent();

    const result = await invokeFunction(FUNCTION, event, {
      env: { POLICY_SOURCE: `s3://${POLICY_BUCKET}/missing.yaml` },
    });

    expect(result.exitCode).toBe(1);
    expect(result.output).toMatchObject({
      errorType: "PolicySourceError",
      errorMessage: expect.stringMatching(/s3:\/\/org-config\/missing\.yaml.*NoSuchKey/),
    });
    expect(await flowLogsOn(ec2Client(), vpcId)).toEqual([]);
  });
});
