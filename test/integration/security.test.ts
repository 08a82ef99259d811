// The guardrails end to end: the built bundles, run like `sam local invoke`, against moto — the organization
// boundary (Config rule, event enforcer), envelope/detail agreement, the destination guard, expiring exemptions,
// bounded policy input, and the audit of policy changes. Each test names the finding it closes.
import { CreateOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { credentialsForAccount, useMoto } from "../support/aws-env.js";
import { CENTRAL_BUCKET, CONFIG_RULE_POLICY, configRuleReport } from "../support/config-moto.js";
import { type CallCounter, startCallCounter } from "../support/http-counter.js";
import { invokeFunction } from "../support/invoke.js";
import {
  createVpc,
  ec2Client,
  flowLogsOn,
  lambdaError,
  outcomesOf,
  policySourceFile,
} from "../support/moto-resources.js";
import { SAMPLE_IDS, sampleEvent } from "../support/sample-events.js";

const motoEndpoint = useMoto();
const HOME = SAMPLE_IDS.account;
const OUTSIDER = "999999999999";
const ELSEWHERE = "elsewhere-flow-logs";
let organizationId = "";
let counter: CallCounter;

beforeAll(async () => {
  const s3 = new S3Client({ region: "us-east-1", forcePathStyle: true });
  for (const bucket of [CENTRAL_BUCKET, ELSEWHERE])
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  const org = new OrganizationsClient({ region: "us-east-1" });
  const { Organization } = await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  org.destroy();
  organizationId = Organization?.Id ?? "";
  counter = await startCallCounter(motoEndpoint());
});

afterEach(() => {
  counter.reset();
});

afterAll(async () => {
  await counter.stop();
});

/** The built bundle, its AWS calls counted. */
function invoke(logicalId: string, event: unknown, env: Record<string, string>) {
  return invokeFunction(logicalId, event, { env, processEnv: { AWS_ENDPOINT_URL: counter.endpoint } });
}

async function vpcCreated(tags: Record<string, string> = {}) {
  const vpcId = await createVpc(ec2Client(), tags);
  return { vpcId, event: sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: vpcId }) };
}

describe("finding 1: the Config rule acts in accounts outside the organization", () => {
  it("assumes no role and sends no PutEvaluations for a Config item of an account outside the organization", async () => {
    // Prepare: an org-wide deployment, and an item claiming an account that is not a member.
    const outsiderVpc = await createVpc(ec2Client(await credentialsForAccount(motoEndpoint(), OUTSIDER)));
    const event = sampleEvent("config-item-vpc-created.json", {
      [SAMPLE_IDS.vpc]: outsiderVpc,
      [SAMPLE_IDS.account]: OUTSIDER,
    });
    counter.reset();

    // Act
    const result = await invoke("ConfigRuleFunction", event, {
      POLICY_SOURCE: policySourceFile(CONFIG_RULE_POLICY),
      ORGANIZATION_ID: organizationId,
    });

    // Assess
    expect(result.exitCode).toBe(1);
    expect(lambdaError(result.output)).toMatchObject({
      errorType: "EvaluationFailedError",
      errorMessage: expect.stringContaining(
        `account ${OUTSIDER} is not an ACTIVE member of the organization ${organizationId}`,
      ),
    });
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(0);
    expect(counter.count({ action: "PutEvaluations" })).toBe(0);
    expect(counter.count({ service: "ec2" })).toBe(0);
  });

  it("sends no NOT_APPLICABLE verdict there either, while a member's item is evaluated", async () => {
    // Prepare
    const env = { POLICY_SOURCE: policySourceFile(CONFIG_RULE_POLICY), ORGANIZATION_ID: organizationId };
    const deleted = sampleEvent("config-item-deleted.json", { [SAMPLE_IDS.account]: OUTSIDER });

    // Act
    const refused = await invoke("ConfigRuleFunction", deleted, env);
    const refusedCalls = counter.count({ action: "PutEvaluations" });
    const home = await invoke("ConfigRuleFunction", sampleEvent("config-item-deleted.json"), env);

    // Assess
    expect(refused.exitCode).toBe(1);
    expect(refusedCalls).toBe(0);
    expect(home.exitCode, home.stderr).toBe(0);
    expect(configRuleReport(home.output).evaluations).toEqual([
      expect.objectContaining({ complianceType: "NOT_APPLICABLE" }),
    ]);
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(0);
  });
});

describe("finding 1: a deployment that is not organization-wide", () => {
  it("assumes no role for an event of another account when ALLOWED_ACCOUNTS lists none", async () => {
    // Prepare
    const member = "222222222222";
    const memberVpc = await createVpc(ec2Client(await credentialsForAccount(motoEndpoint(), member)));
    const event = sampleEvent("vpc-created.json", { [SAMPLE_IDS.vpc]: memberVpc, [HOME]: member });
    counter.reset();

    // Act
    const result = await invoke("EventEnforcerFunction", event, {
      POLICY_SOURCE: policySourceFile(CONFIG_RULE_POLICY),
    });

    // Assess
    expect(result.exitCode).toBe(1);
    expect(lambdaError(result.output).errorMessage).toContain(
      `account ${member} is not this deployment's own account`,
    );
    expect(counter.count({ service: "sts", action: "AssumeRole" })).toBe(0);
    expect(counter.count({ service: "ec2" })).toBe(0);
  });
});

describe("finding 4: envelope and detail disagree", () => {
  it("refuses an event whose detail names another account than its envelope, with no AWS call at all", async () => {
    // Prepare
    const { event } = await vpcCreated();
    const detail = event.detail as Record<string, unknown>;
    detail.recipientAccountId = "222222222222";
    counter.reset();

    // Act
    const result = await invoke("EventEnforcerFunction", event, {
      POLICY_SOURCE: policySourceFile(CONFIG_RULE_POLICY),
      ALLOWED_ACCOUNTS: `${HOME},222222222222`,
    });

    // Assess
    expect(result.exitCode).toBe(1);
    expect(lambdaError(result.output)).toMatchObject({
      errorType: "EventValidationError",
      errorMessage: `malformed CloudTrail event: detail.recipientAccountId 222222222222 differs from the envelope's account ${HOME}`,
    });
    expect(counter.calls()).toEqual([]);
  });

  it("refuses a region mismatch the same way", async () => {
    // Prepare
    const { event } = await vpcCreated();
    (event.detail as Record<string, unknown>).awsRegion = "eu-west-1";
    counter.reset();

    // Act
    const result = await invoke("EventEnforcerFunction", event, {
      POLICY_SOURCE: policySourceFile(CONFIG_RULE_POLICY),
    });

    // Assess
    expect(lambdaError(result.output).errorMessage).toContain(
      "detail.awsRegion eu-west-1 differs from the envelope's region us-east-1",
    );
    expect(counter.calls()).toEqual([]);
  });
});

describe("finding 2: the policy cannot send flow logs beyond ALLOWED_DESTINATIONS", () => {
  it("creates no flow log to a destination outside the guard, and the reason names it", async () => {
    // Prepare: the bucket exists, so only the guard can stop the write.
    const policy = policySourceFile(
      `version: 1\ndefaults:\n  destination: { type: s3, arn: "arn:aws:s3:::${ELSEWHERE}" }\n`,
    );
    const { vpcId, event } = await vpcCreated();

    // Act
    const result = await invoke("EventEnforcerFunction", event, {
      POLICY_SOURCE: policy,
      ALLOWED_DESTINATIONS: "arn:aws:s3:::central-*",
    });

    // Assess
    expect(result.exitCode).toBe(1);
    expect(result.logs).toContainEqual(
      expect.objectContaining({
        message: "flow-log outcome",
        resourceId: vpcId,
        outcome: "failed",
        reason: `destination arn:aws:s3:::${ELSEWHERE} is outside ALLOWED_DESTINATIONS (arn:aws:s3:::central-*); the deployment's guard allows no flow log to it`,
      }),
    );
    expect(counter.count({ action: "CreateFlowLogs" })).toBe(0);
    expect(await flowLogsOn(ec2Client(), vpcId)).toEqual([]);
  });

  it("writes a destination inside the guard", async () => {
    // Prepare
    const { vpcId, event } = await vpcCreated();

    // Act
    const result = await invoke("EventEnforcerFunction", event, {
      POLICY_SOURCE: policySourceFile(CONFIG_RULE_POLICY),
      ALLOWED_DESTINATIONS: "arn:aws:s3:::central-*",
    });

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({ resourceId: vpcId, outcome: "created" }),
    ]);
  });
});

describe("finding 3: governed exemptions", () => {
  const exemption = (expires: string) =>
    policySourceFile(`version: 1
defaults:
  destination: { type: s3, arn: "arn:aws:s3:::${CENTRAL_BUCKET}" }
rules:
  - name: sandbox
    match: { tags: { flow-logs: disabled } }
    exempt: true
    reason: lab accounts, approved in SEC-123
    expires: ${expires}
`);

  it("creates the flow log of a VPC whose exemption has expired, saying so", async () => {
    // Prepare
    const { vpcId, event } = await vpcCreated({ "flow-logs": "disabled" });

    // Act
    const result = await invoke("EventEnforcerFunction", event, { POLICY_SOURCE: exemption("2020-01-31") });

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({
        resourceId: vpcId,
        outcome: "created",
        reason: expect.stringMatching(/; the exemption by rule sandbox expired on 2020-01-31$/),
      }),
    ]);
    expect(await flowLogsOn(ec2Client(), vpcId)).toHaveLength(1);
  });

  it("leaves a VPC alone while its exemption holds, reporting the reason and the end date", async () => {
    // Prepare
    const { vpcId, event } = await vpcCreated({ "flow-logs": "disabled" });

    // Act
    const result = await invoke("EventEnforcerFunction", event, { POLICY_SOURCE: exemption("2999-12-31") });

    // Assess
    expect(outcomesOf(result.output)).toEqual([
      expect.objectContaining({
        outcome: "exempt",
        reason: "exempt by rule sandbox: lab accounts, approved in SEC-123 (until 2999-12-31)",
      }),
    ]);
    expect(await flowLogsOn(ec2Client(), vpcId)).toEqual([]);
  });
});

describe("finding 6: bounded policy input", () => {
  it("refuses a policy over 64 KiB before parsing it, and writes nothing", async () => {
    // Prepare
    const { event } = await vpcCreated();
    const huge = policySourceFile(`${readPolicy()}# ${"x".repeat(16 * 1024 * 1024)}\n`);
    counter.reset();

    // Act
    const result = await invoke("EventEnforcerFunction", event, { POLICY_SOURCE: huge });

    // Assess
    expect(result.exitCode).toBe(1);
    expect(lambdaError(result.output)).toMatchObject({
      errorType: "PolicyValidationError",
      errorMessage: expect.stringMatching(
        /\(root\): the policy is \d+ bytes, more than the limit of 65536 bytes/,
      ),
    });
    expect(counter.count({ service: "ec2" })).toBe(0);
  });

  it("turns a YAML alias bomb into a PolicyValidationError with a message", async () => {
    // Prepare
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 9; level += 1) {
      const [previous, name] = [String.fromCharCode(96 + level), String.fromCharCode(97 + level)];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    const { event } = await vpcCreated();

    // Act
    const result = await invoke("EventEnforcerFunction", event, {
      POLICY_SOURCE: policySourceFile(`${readPolicy()}${levels.join("\n")}\n`),
    });

    // Assess
    expect(lambdaError(result.output)).toMatchObject({
      errorType: "PolicyValidationError",
      errorMessage: expect.stringContaining("YAML aliases expand too far (more than 100 references)"),
    });
  });

  it("rejects a __proto__ tag key instead of letting the rule match every resource", async () => {
    // Prepare
    const { vpcId, event } = await vpcCreated();
    const policy = `${readPolicy()}rules:\n  - { name: all, match: { tags: { __proto__: x } }, exempt: true }\n`;

    // Act
    const result = await invoke("EventEnforcerFunction", event, { POLICY_SOURCE: policySourceFile(policy) });

    // Assess
    expect(lambdaError(result.output)).toMatchObject({
      errorType: "PolicyValidationError",
      errorMessage: expect.stringContaining(
        'rules[0].match.tags.__proto__: "__proto__" is not allowed as a key',
      ),
    });
    expect(await flowLogsOn(ec2Client(), vpcId)).toEqual([]);
  });
});

describe("finding 2: policy changes are audited", () => {
  it("logs who changed the policy parameter and notifies the alarm topic", async () => {
    // Prepare: an alarm topic with a queue subscribed, as an operator's e-mail would be.
    const sns = new SNSClient({ region: "us-east-1" });
    const sqs = new SQSClient({ region: "us-east-1" });
    const { TopicArn: topicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "enforcer-alarms" }));
    const { QueueUrl: queueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "alarm-inbox" }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
    );
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: Attributes?.QueueArn }),
    );

    // Act
    const result = await invoke("PolicyAuditFunction", sampleEvent("policy-parameter-changed.json"), {
      ALARM_TOPIC_ARN: topicArn,
    });
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    sns.destroy();
    sqs.destroy();

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.logs).toContainEqual(
      expect.objectContaining({
        message: "policy parameter changed",
        action: "PutParameter",
        parameters: ["/vpc-flow-log-enforcer/policy"],
        changedBy: "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice",
        newVersion: 4,
      }),
    );
    expect(counter.count({ action: "Publish" })).toBe(1);
    expect(messages).toHaveLength(1);
    const envelope = JSON.parse(messages[0]?.Body ?? "{}") as { Subject?: string; Message?: string };
    expect(envelope.Subject).toBe("vpc-flow-log-enforcer: policy changed");
    expect(envelope.Message).toContain("by arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice");
  });
});

/** The smallest valid policy, as text to build on. */
function readPolicy(): string {
  return `version: 1\ndefaults:\n  destination: { type: s3, arn: "arn:aws:s3:::${CENTRAL_BUCKET}" }\n`;
}
