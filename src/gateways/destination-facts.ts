// Read-only facts about flow-log destinations for `flowlogs doctor`: an S3 bucket (existence, policy, default
// encryption), a KMS key (manager, policy), an IAM role (trust policy), a CloudWatch Logs group, a Firehose stream
// (status, tags) and the organization. Each function takes its client; expected "not there" answers become facts,
// anything else is thrown for the caller to report as unreadable.
import { type CloudWatchLogsClient, paginateDescribeLogGroups } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeDeliveryStreamCommand,
  type FirehoseClient,
  ListTagsForDeliveryStreamCommand,
} from "@aws-sdk/client-firehose";
import { GetRoleCommand, type IAMClient } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyPolicyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { DescribeOrganizationCommand, type OrganizationsClient } from "@aws-sdk/client-organizations";
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type {
  BucketFacts,
  KeyFacts,
  LogGroupFacts,
  RoleFacts,
  StreamFacts,
} from "../engine/doctor/checks.js";
import { errorCode, errorSummary } from "../errors.js";

export async function readBucket(s3: S3Client, bucket: string): Promise<BucketFacts> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (errorCode(error) === "NotFound" || errorCode(error) === "NoSuchBucket")
      return { exists: false, policy: { ok: undefined }, encryption: { ok: { kind: "none" } } };
    throw error;
  }
  const [policy, encryption] = await Promise.all([readBucketPolicy(s3, bucket), readEncryption(s3, bucket)]);
  return { exists: true, policy, encryption };
}

async function readBucketPolicy(s3: S3Client, bucket: string): Promise<BucketFacts["policy"]> {
  try {
    const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return { ok: Policy };
  } catch (error) {
    if (errorCode(error) === "NoSuchBucketPolicy") return { ok: undefined };
    return { unreadable: errorSummary(error) };
  }
}

async function readEncryption(s3: S3Client, bucket: string): Promise<BucketFacts["encryption"]> {
  try {
    const { ServerSideEncryptionConfiguration: config } = await s3.send(
      new GetBucketEncryptionCommand({ Bucket: bucket }),
    );
    const rule = config?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    if (rule?.SSEAlgorithm === undefined || rule.SSEAlgorithm === "AES256") return { ok: { kind: "sse-s3" } };
    // SSE-KMS without a key ID uses the AWS managed key aws/s3.
    return { ok: { kind: "sse-kms", keyId: rule.KMSMasterKeyID ?? "alias/aws/s3" } };
  } catch (error) {
    if (errorCode(error) === "ServerSideEncryptionConfigurationNotFoundError")
      return { ok: { kind: "none" } };
    return { unreadable: errorSummary(error) };
  }
}

export async function readKey(kms: KMSClient, keyId: string): Promise<KeyFacts> {
  const { KeyMetadata: metadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  const arn = metadata?.Arn ?? keyId;
  if (metadata?.KeyManager === "AWS")
    return { arn, managedByAws: true, policy: { unreadable: "AWS managed" } };
  try {
    const { Policy } = await kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: "default" }));
    return {
      arn,
      managedByAws: false,
      policy: Policy === undefined ? { unreadable: "no policy returned" } : { ok: Policy },
    };
  } catch (error) {
    return { arn, managedByAws: false, policy: { unreadable: errorSummary(error) } };
  }
}

export async function readRole(iam: IAMClient, roleName: string): Promise<RoleFacts> {
  try {
    const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    const document = role?.AssumeRolePolicyDocument;
    // IAM returns the trust policy URL-encoded.
    return document === undefined
      ? { exists: true }
      : { exists: true, trustPolicy: decodeURIComponent(document) };
  } catch (error) {
    if (errorCode(error) === "NoSuchEntity" || errorCode(error) === "NoSuchEntityException")
      return { exists: false };
    throw error;
  }
}

export async function readLogGroup(logs: CloudWatchLogsClient, name: string): Promise<LogGroupFacts> {
  for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: name })) {
    const group = (page.logGroups ?? []).find((candidate) => candidate.logGroupName === name);
    if (group !== undefined)
      return group.retentionInDays === undefined
        ? { exists: true }
        : { exists: true, retentionDays: group.retentionInDays };
  }
  return { exists: false };
}

export async function readStream(firehose: FirehoseClient, name: string): Promise<StreamFacts> {
  try {
    const { DeliveryStreamDescription: stream } = await firehose.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }),
    );
    const { Tags = [] } = await firehose.send(
      new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: name }),
    );
    const tags = Object.fromEntries(Tags.map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
    return {
      exists: true,
      ...(stream?.DeliveryStreamStatus === undefined ? {} : { status: stream.DeliveryStreamStatus }),
      tags,
    };
  } catch (error) {
    if (errorCode(error) === "ResourceNotFoundException") return { exists: false };
    throw error;
  }
}

/** The organization's ID and management account, or undefined when the account is in no organization. */
export async function readOrganization(
  org: OrganizationsClient,
): Promise<{ readonly id: string; readonly managementAccountId: string } | undefined> {
  try {
    const { Organization: organization } = await org.send(new DescribeOrganizationCommand({}));
    if (organization?.Id === undefined || organization.MasterAccountId === undefined) return undefined;
    return { id: organization.Id, managementAccountId: organization.MasterAccountId };
  } catch (error) {
    if (errorCode(error) === "AWSOrganizationsNotInUseException") return undefined;
    throw error;
  }
}
