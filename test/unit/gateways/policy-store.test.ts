import { Readable } from "node:stream";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient, SSMServiceException } from "@aws-sdk/client-ssm";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PolicySourceError, PolicyValidationError } from "../../../src/errors.js";
import {
  cachedPolicyLoader,
  loadPolicy,
  type PolicyStoreClients,
} from "../../../src/gateways/policy-store.js";
import { s3ObjectReader } from "../../../src/gateways/s3-objects.js";
import { type PolicySource, parsePolicySource } from "../../../src/policy/policy-source.js";
import { fixturePath, readFixture } from "../support/fixtures.js";

const ssmMock = mockClient(SSMClient);
const s3Mock = mockClient(S3Client);

afterEach(() => {
  ssmMock.reset();
  s3Mock.reset();
});

const SOURCE = "ssm:/vpc-flow-log-enforcer/policy";

/** A source written the way users write it. */
function source(text: string): PolicySource {
  const parsed = parsePolicySource(text);
  if (parsed === undefined) throw new Error(`${text} is not a policy source`);
  return parsed;
}

function clients(): PolicyStoreClients {
  return {
    ssm: () => new SSMClient({ region: "us-east-1" }),
    s3: async () => s3ObjectReader(new S3Client({ region: "us-east-1" })),
  };
}

function parameter(value: string) {
  return {
    Parameter: { Name: "/vpc-flow-log-enforcer/policy", Type: "String" as const, Value: value, Version: 7 },
  };
}

function accessDenied(): SSMServiceException {
  return new SSMServiceException({
    name: "AccessDeniedException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message: "User is not authorized to perform: ssm:GetParameter",
  });
}

describe("loadPolicy", () => {
  it("reads an SSM parameter, with decryption, and parses its YAML", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(parameter(readFixture("policies/issue-example.yaml")));

    // Act
    const { policy, source: from, version } = await loadPolicy(source(SOURCE), clients());

    // Assess
    expect(policy.rules.map((rule) => rule.name)).toEqual(["prod-to-cloudwatch", "sandboxes-exempt"]);
    expect([from, version]).toEqual([SOURCE, "7"]);
    expect(ssmMock).toHaveReceivedCommandExactlyOnceWith(GetParameterCommand, {
      Name: "/vpc-flow-log-enforcer/policy",
      WithDecryption: true,
    });
  });

  it("reads an S3 object whose key has folders, and parses its JSON", async () => {
    // Prepare
    s3Mock
      .on(GetObjectCommand)
      .resolves({ Body: sdkStreamMixin(Readable.from([readFixture("policies/minimal-s3.json")])) });

    // Act
    const { policy, version } = await loadPolicy(source("s3://org-config/flow-logs/policy.json"), clients());

    // Assess
    expect(policy.defaults.tags).toEqual({ ManagedBy: "vpc-flow-log-enforcer" });
    expect(version).toBeUndefined();
    expect(s3Mock).toHaveReceivedCommandExactlyOnceWith(GetObjectCommand, {
      Bucket: "org-config",
      Key: "flow-logs/policy.json",
    });
  });

  it("reads a file", async () => {
    // Prepare
    const file = source(`file:${fixturePath("policies/transit-gateways.yaml")}`);

    // Act
    const { policy } = await loadPolicy(file, clients());

    // Assess
    expect(policy.resourceTypes).toEqual(["VPC", "TransitGateway"]);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 0);
  });

  it("turns AccessDenied from SSM into a PolicySourceError naming the source and AWS's error", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(accessDenied());

    // Act
    const loading = loadPolicy(source(SOURCE), clients());

    // Assess
    await expect(loading).rejects.toThrow(PolicySourceError);
    await expect(loading).rejects.toThrow(
      `cannot read the policy from ${SOURCE}: AccessDeniedException: User is not authorized to perform: ssm:GetParameter`,
    );
  });

  it("keeps AWS's error as the cause", async () => {
    // Prepare
    const denied = accessDenied();
    ssmMock.on(GetParameterCommand).rejects(denied);

    // Act
    const error = await loadPolicy(source(SOURCE), clients()).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(PolicySourceError);
    expect(error).toHaveProperty("cause", denied);
  });

  it("reports a missing file as a PolicySourceError naming it", async () => {
    // Prepare
    const path = fixturePath("policies/no-such-policy.yaml");

    // Act
    const loading = loadPolicy(source(`file:${path}`), clients());

    // Assess
    await expect(loading).rejects.toThrow(PolicySourceError);
    await expect(loading).rejects.toThrow(`cannot read the policy from file:${path}: `);
  });

  it("reports an invalid policy as a PolicyValidationError naming the source, not as a read failure", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(parameter(readFixture("policies/schema-errors.yaml")));

    // Act
    const loading = loadPolicy(source(SOURCE), clients());

    // Assess
    await expect(loading).rejects.toThrow(PolicyValidationError);
    await expect(loading).rejects.toThrow(`invalid policy from ${SOURCE}: defaults.destination.arn: `);
  });
});

describe("cachedPolicyLoader", () => {
  it("serves the policy from cache within the TTL, without another SDK call", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(parameter(readFixture("policies/minimal-s3.json")));
    let now = 1_000_000;
    const load = cachedPolicyLoader(clients(), 60, () => now);

    // Act
    const first = await load(source(SOURCE));
    now += 59_999;
    const second = await load(source(SOURCE));

    // Assess
    expect(second).toBe(first);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it("reads the source again once the TTL has passed, and serves what it reads", async () => {
    // Prepare
    ssmMock
      .on(GetParameterCommand)
      .resolvesOnce(parameter(readFixture("policies/minimal-s3.json")))
      .resolvesOnce(parameter(readFixture("policies/issue-example.yaml")));
    let now = 1_000_000;
    const load = cachedPolicyLoader(clients(), 60, () => now);

    // Act
    await load(source(SOURCE));
    now += 60_000;
    const reloaded = await load(source(SOURCE));

    // Assess
    expect(reloaded.policy.rules).toHaveLength(2);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it("does not cache a failure: the next call reads the source again", async () => {
    // Prepare
    ssmMock
      .on(GetParameterCommand)
      .rejectsOnce(accessDenied())
      .resolvesOnce(parameter(readFixture("policies/minimal-s3.json")));
    const now = 1_000_000;
    const load = cachedPolicyLoader(clients(), 60, () => now);

    // Act
    const failure = await load(source(SOURCE)).catch((error: unknown) => error);
    const { policy } = await load(source(SOURCE));

    // Assess
    expect(failure).toBeInstanceOf(PolicySourceError);
    expect(policy.mode).toBe("enforce");
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it("caches each source separately", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(parameter(readFixture("policies/minimal-s3.json")));
    const load = cachedPolicyLoader(clients(), 60, () => 0);

    // Act
    await load(source(SOURCE));
    await load(source("ssm:/other/policy"));
    await load(source(SOURCE));

    // Assess
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: "/other/policy" });
  });
});
