// Pure: the facts doctor read about one destination (bucket, key, log group, roles, stream) in, one row per check
// out, each with its verdict, what was found and, for a failure, what to change. Resource policies are decided by the
// policy evaluator (policy/resource-policy.ts), never by searching their text.
import type { ResolvedDestination } from "../../domain/flow-logs.js";
import type { AccountRegion } from "../../domain/resources.js";
import {
  type AccessRequest,
  evaluatePolicy,
  type PolicyDecision,
  parsePolicyDocument,
  type RequestContext,
} from "../../policy/resource-policy.js";

export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckRow {
  readonly destination: string;
  readonly check: string;
  /** `account/region`, `account`, or `-` for a check that does not depend on where the flow log is. */
  readonly where: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

/** A fact read through a gateway, or why it could not be read (access denied, role not assumable…). */
export type Fact<T> = { readonly ok: T } | { readonly unreadable: string };

export interface BucketFacts {
  readonly exists: boolean;
  /** The bucket policy's JSON text; undefined when the bucket has none. */
  readonly policy: Fact<string | undefined>;
  /** Default encryption: none (SSE-S3 applies), SSE-S3, or SSE-KMS with the key as configured. */
  readonly encryption: Fact<
    { readonly kind: "none" | "sse-s3" } | { readonly kind: "sse-kms"; readonly keyId: string }
  >;
}

export interface KeyFacts {
  readonly arn: string;
  readonly managedByAws: boolean;
  readonly policy: Fact<string>;
}

export interface RoleFacts {
  readonly exists: boolean;
  readonly trustPolicy?: string;
}

export interface LogGroupFacts {
  readonly exists: boolean;
  readonly retentionDays?: number;
}

export interface StreamFacts {
  readonly exists: boolean;
  readonly status?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

const DELIVERY = { kind: "service", service: "delivery.logs.amazonaws.com" } as const;
const FLOW_LOGS = { kind: "service", service: "vpc-flow-logs.amazonaws.com" } as const;

/** What the log-delivery service's request carries for a flow log of `where`; the org is unknown when undefined. */
export function deliveryContext(where: AccountRegion, organizationId: string | undefined): RequestContext {
  return {
    "aws:SourceAccount": where.accountId,
    "aws:SourceArn": `arn:${where.partition}:logs:${where.region}:${where.accountId}:{delivery}`,
    "aws:SecureTransport": true,
    ...(organizationId === undefined ? {} : { "aws:SourceOrgID": organizationId }),
  };
}

/** `arn:aws:s3:::bucket/prefix/` → bucket and prefix (`prefix/`, or empty). */
export function bucketOf(arn: string): { readonly bucket: string; readonly prefix: string } {
  const path = arn.replace(/^arn:[^:]+:s3:::/, "");
  const [bucket = "", ...rest] = path.split("/");
  const prefix = rest.join("/").replace(/\/+$/, "");
  return { bucket, prefix: prefix === "" ? "" : `${prefix}/` };
}

export function describeWhere(where: AccountRegion): string {
  return `${where.accountId}/${where.region}`;
}

export function bucketExistsRow(destination: string, facts: Fact<BucketFacts>): CheckRow {
  const row = { destination, check: "bucket exists", where: "-" };
  if ("unreadable" in facts) return { ...row, status: "warn", detail: `cannot tell: ${facts.unreadable}` };
  if (!facts.ok.exists)
    return {
      ...row,
      status: "fail",
      detail: "no such bucket",
      fix: "create the bucket (template.yaml CreateCentralBucket=true does it) or correct the policy's arn",
    };
  return { ...row, status: "pass", detail: "exists" };
}

/** s3:PutObject on `<prefix>AWSLogs/<account>/` and s3:GetBucketAcl for the log-delivery service, for one flow log's account-region. */
export function bucketGrantRows(
  destination: ResolvedDestination,
  where: AccountRegion,
  facts: Fact<BucketFacts>,
  organizationId: string | undefined,
): CheckRow[] {
  const arn = destination.arn ?? "";
  const { bucket, prefix } = bucketOf(arn);
  const bucketArn = `arn:${where.partition}:s3:::${bucket}`;
  const objectPrefix = `${bucketArn}/${prefix}AWSLogs/${where.accountId}/`;
  const context = deliveryContext(where, organizationId);
  const base = { destination: arn, where: describeWhere(where) };
  const putCheck = "bucket policy: s3:PutObject";
  const aclCheck = "bucket policy: s3:GetBucketAcl";
  if ("unreadable" in facts || !facts.ok.exists) return [];
  const policy = facts.ok.policy;
  if ("unreadable" in policy)
    return [putCheck, aclCheck].map((check) => ({
      ...base,
      check,
      status: "warn" as const,
      detail: `cannot read the bucket policy: ${policy.unreadable}`,
      fix: "run doctor with credentials of the bucket's account (s3:GetBucketPolicy)",
    }));
  const put: AccessRequest = {
    principal: DELIVERY,
    action: "s3:PutObject",
    resource: `${objectPrefix}vpcflowlogs/${where.region}/{object}`,
    context: { ...context, "s3:x-amz-acl": "bucket-owner-full-control" },
  };
  const acl: AccessRequest = { principal: DELIVERY, action: "s3:GetBucketAcl", resource: bucketArn, context };
  const putFix = `add a statement: Allow Principal {"Service":"delivery.logs.amazonaws.com"} Action s3:PutObject on ${objectPrefix}* with StringEquals s3:x-amz-acl=bucket-owner-full-control and aws:SourceAccount=${where.accountId} (or aws:SourceOrgID)`;
  const aclFix = `add a statement: Allow Principal {"Service":"delivery.logs.amazonaws.com"} Action s3:GetBucketAcl on ${bucketArn} with aws:SourceAccount=${where.accountId} (or aws:SourceOrgID)`;
  return [
    grantRow({ ...base, check: putCheck }, policy.ok, put, `s3:PutObject on ${objectPrefix}`, putFix),
    grantRow({ ...base, check: aclCheck }, policy.ok, acl, `s3:GetBucketAcl on ${bucketArn}`, aclFix),
  ];
}

/** The bucket's default encryption: SSE-S3 needs nothing; SSE-KMS needs a customer managed key that log delivery may use. */
export function encryptionRow(
  destination: ResolvedDestination,
  where: AccountRegion,
  bucket: Fact<BucketFacts>,
  key: Fact<KeyFacts> | undefined,
  organizationId: string | undefined,
): CheckRow | undefined {
  if ("unreadable" in bucket || !bucket.ok.exists) return undefined;
  const base = { destination: destination.arn ?? "", check: "encryption key", where: describeWhere(where) };
  const encryption = bucket.ok.encryption;
  if ("unreadable" in encryption)
    return {
      ...base,
      status: "warn",
      detail: `cannot read the default encryption: ${encryption.unreadable}`,
    };
  if (encryption.ok.kind !== "sse-kms")
    return { ...base, where: "-", status: "pass", detail: "SSE-S3: log delivery needs no key grant" };
  if (key === undefined || "unreadable" in key)
    return {
      ...base,
      status: "warn",
      detail: `SSE-KMS with ${encryption.ok.keyId}, whose key cannot be read: ${key && "unreadable" in key ? key.unreadable : "unknown"}`,
    };
  if (key.ok.managedByAws)
    return {
      ...base,
      where: "-",
      status: "fail",
      detail: `SSE-KMS with the AWS managed key ${key.ok.arn}, whose policy cannot let log delivery use it`,
      fix: "encrypt the bucket with a customer managed key whose policy allows delivery.logs.amazonaws.com kms:GenerateDataKey*",
    };
  const policy = key.ok.policy;
  if ("unreadable" in policy)
    return {
      ...base,
      status: "warn",
      detail: `cannot read the key policy of ${key.ok.arn}: ${policy.unreadable}`,
    };
  const request: AccessRequest = {
    principal: DELIVERY,
    action: "kms:GenerateDataKey",
    resource: key.ok.arn,
    context: deliveryContext(where, organizationId),
  };
  return grantRow(
    base,
    policy.ok,
    request,
    `kms:GenerateDataKey* on ${key.ok.arn}`,
    `add to the key policy: Allow Principal {"Service":"delivery.logs.amazonaws.com"} Action kms:GenerateDataKey* Resource * with aws:SourceAccount=${where.accountId} (or aws:SourceOrgID)`,
  );
}

export function logGroupRow(
  destination: ResolvedDestination,
  name: string,
  where: AccountRegion,
  perResource: boolean,
  facts: Fact<LogGroupFacts> | undefined,
): CheckRow {
  const base = { destination: `log group ${name}`, check: "log group", where: describeWhere(where) };
  const settings = destination.logGroup;
  if (perResource)
    return settings === undefined
      ? {
          ...base,
          status: "warn",
          detail: "one log group per resource: not checked without listing resources",
          fix: "set destination.logGroup so the enforcer creates each group before its flow log",
        }
      : {
          ...base,
          status: "pass",
          detail: "one per resource, created by the enforcer before each flow log (logGroup)",
        };
  if (facts === undefined || "unreadable" in facts)
    return {
      ...base,
      status: "warn",
      detail: `cannot tell: ${facts && "unreadable" in facts ? facts.unreadable : "not read"}`,
    };
  if (!facts.ok.exists)
    return settings === undefined
      ? {
          ...base,
          status: "fail",
          detail: "does not exist: flow logs to it report Access error",
          fix: `create ${name} (with a retention), or set destination.logGroup so the enforcer creates it`,
        }
      : {
          ...base,
          status: "pass",
          detail: `missing; the enforcer creates it before the first flow log${settings.retentionDays === undefined ? "" : ` (retention ${settings.retentionDays} days)`}`,
        };
  const retention = facts.ok.retentionDays;
  if (settings?.retentionDays !== undefined && retention !== settings.retentionDays)
    return {
      ...base,
      status: "warn",
      detail: `exists with retention ${retention ?? "never expire"}; the policy wants ${settings.retentionDays} days (the enforcer changes it only on groups it created)`,
      fix: `aws logs put-retention-policy --log-group-name ${name} --retention-in-days ${settings.retentionDays}`,
    };
  return {
    ...base,
    status: "pass",
    detail: `exists (retention ${retention === undefined ? "never expire" : `${retention} days`})`,
  };
}

/** A role a service assumes to deliver: it exists and its trust policy lets that service (of this account) assume it. */
export function trustRow(
  check: string,
  roleArn: string,
  where: AccountRegion,
  facts: Fact<RoleFacts>,
  trusted: "vpc-flow-logs" | "delivery-logs" | { readonly roleArn: string; readonly accountId: string },
): CheckRow {
  const base = { destination: roleArn, check, where: describeWhere(where) };
  if ("unreadable" in facts) return { ...base, status: "warn", detail: `cannot tell: ${facts.unreadable}` };
  if (!facts.ok.exists)
    return {
      ...base,
      status: "fail",
      detail: "no such role",
      fix:
        trusted === "vpc-flow-logs"
          ? "deploy the member stack set with CreateDeliveryRole=true (it creates this role), or create it"
          : "create it as AWS's cross-account Firehose setup describes (the member stack set creates the source role when FirehoseDestinationAccountId is set)",
    };
  const parsed = parsePolicyDocument(facts.ok.trustPolicy ?? "");
  if ("error" in parsed)
    return { ...base, status: "warn", detail: `the trust policy cannot be read: ${parsed.error}` };
  const principal =
    trusted === "vpc-flow-logs"
      ? FLOW_LOGS
      : trusted === "delivery-logs"
        ? DELIVERY
        : ({ kind: "aws", accountId: trusted.accountId, arn: trusted.roleArn } as const);
  const context: RequestContext =
    trusted === "vpc-flow-logs"
      ? {
          "aws:SourceAccount": where.accountId,
          "aws:SourceArn": `arn:${where.partition}:ec2:${where.region}:${where.accountId}:vpc-flow-log/{flow-log}`,
        }
      : trusted === "delivery-logs"
        ? { "aws:SourceAccount": where.accountId }
        : {};
  const request: AccessRequest = { principal, action: "sts:AssumeRole", resource: roleArn, context };
  const who = principal.kind === "service" ? principal.service : principal.arn;
  const decision = evaluatePolicy(parsed, request);
  if (decision.effect === "allow") return { ...base, status: "pass", detail: `trusts ${who}` };
  const ec2 = evaluatePolicy(parsed, {
    ...request,
    principal: { kind: "service", service: "ec2.amazonaws.com" },
  });
  const mistaken = trusted === "vpc-flow-logs" && ec2.effect === "allow";
  return {
    ...base,
    status: decision.effect === "undetermined" ? "warn" : "fail",
    detail: mistaken
      ? "trusts ec2.amazonaws.com, not vpc-flow-logs.amazonaws.com: flow logs cannot assume it"
      : explain(decision, `sts:AssumeRole by ${who}`),
    fix: `let ${who} assume it: a trust statement Allow Principal ${principal.kind === "service" ? `{"Service":"${who}"}` : `{"AWS":"${who}"}`} Action sts:AssumeRole${principal.kind === "service" ? ` with aws:SourceAccount=${where.accountId}` : ""}`,
  };
}

export function streamRows(arn: string, facts: Fact<StreamFacts>): CheckRow[] {
  const base = { destination: arn, where: "-" };
  if ("unreadable" in facts)
    return [
      { ...base, check: "delivery stream", status: "warn", detail: `cannot tell: ${facts.unreadable}` },
    ];
  if (!facts.ok.exists)
    return [
      {
        ...base,
        check: "delivery stream",
        status: "fail",
        detail: "no such delivery stream",
        fix: "create the Firehose stream (Direct PUT) or correct the policy's arn",
      },
    ];
  const tagged = facts.ok.tags?.LogDeliveryEnabled === "true";
  return [
    {
      ...base,
      check: "delivery stream",
      status: facts.ok.status === undefined || facts.ok.status === "ACTIVE" ? "pass" : "warn",
      detail: `exists (${facts.ok.status ?? "status unknown"})`,
    },
    {
      ...base,
      check: "stream tag LogDeliveryEnabled",
      status: tagged ? "pass" : "warn",
      detail: tagged
        ? "tagged LogDeliveryEnabled=true: log delivery may write to it"
        : "not tagged LogDeliveryEnabled=true yet: the first CreateFlowLogs tags it if its caller (or, across accounts, the destination role) may firehose:TagDeliveryStream",
      ...(tagged
        ? {}
        : {
            fix: `aws firehose tag-delivery-stream --delivery-stream-name ${arn.split("/").pop()} --tags Key=LogDeliveryEnabled,Value=true`,
          }),
    },
  ];
}

function grantRow(
  base: Omit<CheckRow, "status" | "detail" | "fix">,
  policyText: string | undefined,
  request: AccessRequest,
  what: string,
  fix: string,
): CheckRow {
  if (policyText === undefined)
    return {
      ...base,
      status: "fail",
      detail: `no policy: nothing grants delivery.logs.amazonaws.com ${what}`,
      fix,
    };
  const parsed = parsePolicyDocument(policyText);
  if ("error" in parsed)
    return { ...base, status: "warn", detail: `the policy cannot be read: ${parsed.error}` };
  const decision = evaluatePolicy(parsed, request);
  if (decision.effect === "allow")
    return { ...base, status: "pass", detail: `allowed by ${decision.statements.join(", ")}` };
  return {
    ...base,
    status: decision.effect === "undetermined" ? "warn" : "fail",
    detail: explain(decision, `delivery.logs.amazonaws.com ${what}`),
    fix:
      decision.effect === "explicit-deny"
        ? `remove or narrow ${decision.statement} so it no longer denies ${what}`
        : fix,
  };
}

function explain(decision: Exclude<PolicyDecision, { effect: "allow" }>, what: string): string {
  switch (decision.effect) {
    case "explicit-deny":
      return `${decision.statement} denies ${what}`;
    case "undetermined":
      return `cannot decide whether ${what} is allowed: ${decision.reasons.join("; ")}`;
    case "implicit-deny":
      return decision.nearMisses.length === 0
        ? `no statement allows ${what}`
        : `no statement allows ${what} (${decision.nearMisses.join(", ")} match but their conditions do not hold)`;
  }
}
