import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListTagsForDeliveryStreamCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-firehose";
import { GetRoleCommand, IAMClient, NoSuchEntityException } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  NotFound,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { readBucket, readKey, readRole, readStream } from "../../../src/gateways/destination-facts.js";

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);
const iamMock = mockClient(IAMClient);
const firehoseMock = mockClient(FirehoseClient);

afterEach(() => {
  s3Mock.reset();
  kmsMock.reset();
  iamMock.reset();
  firehoseMock.reset();
});

const s3Error = (name: string) =>
  new S3ServiceException({ name, $fault: "client", $metadata: {}, message: name });

describe("readBucket", () => {
  it("reports a missing bucket as a fact, not an error", async () => {
    // Prepare
    s3Mock
      .on(HeadBucketCommand)
      .rejects(new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } }));

    // Act / Assess
    expect(await readBucket(new S3Client({}), "gone")).toMatchObject({ exists: false });
  });

  it("reads no policy and SSE-KMS without a key ID (the AWS managed aws/s3 key)", async () => {
    // Prepare
    s3Mock.on(HeadBucketCommand).resolves({ BucketRegion: "eu-west-1" });
    s3Mock.on(GetBucketPolicyCommand).rejects(s3Error("NoSuchBucketPolicy"));
    s3Mock.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" } }],
      },
    });

    // Act
    const facts = await readBucket(new S3Client({}), "central");

    // Assess
    expect(facts).toEqual({
      exists: true,
      policy: { ok: undefined },
      encryption: { ok: { kind: "sse-kms", keyId: "alias/aws/s3" } },
    });
  });

  it("keeps a policy it may not read as unreadable, with the reason", async () => {
    // Prepare
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(GetBucketPolicyCommand).rejects(s3Error("AccessDenied"));
    s3Mock.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });

    // Act
    const facts = await readBucket(new S3Client({}), "central");

    // Assess
    expect(facts.policy).toEqual({ unreadable: expect.stringMatching(/^AccessDenied/) });
    expect(facts.encryption).toEqual({ ok: { kind: "sse-s3" } });
  });
});

describe("readKey", () => {
  it("reads a customer managed key's default policy by its ARN", async () => {
    // Prepare
    const arn = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    kmsMock
      .on(DescribeKeyCommand)
      .resolves({ KeyMetadata: { KeyId: "1234abcd", Arn: arn, KeyManager: "CUSTOMER" } });
    kmsMock
      .on(GetKeyPolicyCommand, { KeyId: arn, PolicyName: "default" })
      .resolves({ Policy: '{"Statement":[]}' });

    // Act / Assess
    expect(await readKey(new KMSClient({}), "alias/flow-logs")).toEqual({
      arn,
      managedByAws: false,
      policy: { ok: '{"Statement":[]}' },
    });
  });
});

describe("readRole", () => {
  it("decodes the URL-encoded trust policy IAM returns", async () => {
    // Prepare
    const trust = '{"Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"}}]}';
    iamMock.on(GetRoleCommand).resolves({
      Role: {
        RoleName: "flow-logs-delivery",
        Path: "/",
        RoleId: "AROA",
        Arn: "arn:aws:iam::111111111111:role/flow-logs-delivery",
        CreateDate: new Date(0),
        AssumeRolePolicyDocument: encodeURIComponent(trust),
      },
    });

    // Act / Assess
    expect(await readRole(new IAMClient({}), "flow-logs-delivery")).toEqual({
      exists: true,
      trustPolicy: trust,
    });
  });

  it("reports a missing role as a fact", async () => {
    // Prepare
    iamMock
      .on(GetRoleCommand)
      .rejects(new NoSuchEntityException({ message: "Role x not found", $metadata: {} }));

    // Act / Assess
    expect(await readRole(new IAMClient({}), "x")).toEqual({ exists: false });
  });
});

describe("readStream", () => {
  it("reads the status and tags of a stream, and a missing one as a fact", async () => {
    // Prepare
    firehoseMock.on(DescribeDeliveryStreamCommand, { DeliveryStreamName: "flow-logs" }).resolves({
      DeliveryStreamDescription: {
        DeliveryStreamName: "flow-logs",
        DeliveryStreamARN: "arn:aws:firehose:us-east-1:111111111111:deliverystream/flow-logs",
        DeliveryStreamStatus: "ACTIVE",
        DeliveryStreamType: "DirectPut",
        VersionId: "1",
        Destinations: [],
        HasMoreDestinations: false,
      },
    });
    firehoseMock
      .on(ListTagsForDeliveryStreamCommand)
      .resolves({ Tags: [{ Key: "LogDeliveryEnabled", Value: "true" }], HasMoreTags: false });
    firehoseMock
      .on(DescribeDeliveryStreamCommand, { DeliveryStreamName: "gone" })
      .rejects(new ResourceNotFoundException({ message: "not found", $metadata: {} }));

    // Act / Assess
    expect(await readStream(new FirehoseClient({}), "flow-logs")).toEqual({
      exists: true,
      status: "ACTIVE",
      tags: { LogDeliveryEnabled: "true" },
    });
    expect(await readStream(new FirehoseClient({}), "gone")).toEqual({ exists: false });
  });
});
