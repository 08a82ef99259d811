import { describe, expect, it } from "vitest";
import {
  type AccessRequest,
  evaluatePolicy,
  type PolicyDecision,
  parsePolicyDocument,
  type RequestContext,
} from "../../../src/policy/resource-policy.js";
import { readFixture } from "../support/fixtures.js";

const ACCOUNT = "111111111111";
const OTHER = "222222222222";
const BUCKET = "arn:aws:s3:::central-flow-logs";
const DELIVERY = { kind: "service", service: "delivery.logs.amazonaws.com" } as const;

/** What the log-delivery service sends when it writes a flow-log object for `account`. */
function deliveryContext(account = ACCOUNT, extra: RequestContext = {}): RequestContext {
  return {
    "aws:SourceAccount": account,
    "aws:SourceArn": `arn:aws:logs:us-east-1:${account}:{delivery}`,
    "s3:x-amz-acl": "bucket-owner-full-control",
    "aws:SecureTransport": true,
    ...extra,
  };
}

function putObject(account = ACCOUNT, extra: RequestContext = {}): AccessRequest {
  return {
    principal: DELIVERY,
    action: "s3:PutObject",
    resource: `${BUCKET}/AWSLogs/${account}/vpcflowlogs/us-east-1/{object}`,
    context: deliveryContext(account, extra),
  };
}

function decide(document: unknown, request: AccessRequest): PolicyDecision {
  const parsed = parsePolicyDocument(document);
  if ("error" in parsed) throw new Error(parsed.error);
  return evaluatePolicy(parsed, request);
}

function statement(fields: Record<string, unknown>) {
  return {
    Effect: "Allow",
    Principal: { Service: "delivery.logs.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `${BUCKET}/*`,
    ...fields,
  };
}

function policy(...statements: unknown[]) {
  return { Version: "2012-10-17", Statement: statements };
}

describe("evaluatePolicy: AWS's documented bucket policy for flow-log delivery", () => {
  const documented = readFixture("resource-policies/aws-flow-logs-bucket-policy.json");

  it("allows PutObject and GetBucketAcl for the account it names, with its conditions", () => {
    // Act
    const write = decide(documented, putObject());
    const aclCheck = decide(documented, {
      principal: DELIVERY,
      action: "s3:GetBucketAcl",
      resource: BUCKET,
      context: deliveryContext(),
    });

    // Assess
    expect(write).toEqual({ effect: "allow", statements: ["Statement[0] (AWSLogDeliveryWrite)"] });
    expect(aclCheck).toEqual({ effect: "allow", statements: ["Statement[1] (AWSLogDeliveryAclCheck)"] });
  });

  it("does not allow another account's prefix, and names the statement whose condition failed", () => {
    // Prepare: the prefix matches, so only aws:SourceAccount and aws:SourceArn stop it.
    const request = { ...putObject(OTHER), resource: `${BUCKET}/AWSLogs/${ACCOUNT}/x` };

    // Act
    const decision = decide(documented, request);

    // Assess
    expect(decision).toEqual({
      effect: "implicit-deny",
      nearMisses: ["Statement[0] (AWSLogDeliveryWrite)"],
    });
  });

  it("does not allow a write without the bucket-owner-full-control ACL", () => {
    expect(decide(documented, putObject(ACCOUNT, { "s3:x-amz-acl": "private" }))).toMatchObject({
      effect: "implicit-deny",
    });
  });
});

describe("evaluatePolicy: Deny beats Allow", () => {
  it("denies with an explicit Deny even though an Allow matches", () => {
    // Prepare
    const document = policy(statement({ Sid: "Write" }), {
      Sid: "NoFlowLogs",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: `${BUCKET}/*`,
    });

    // Act
    const decision = decide(document, putObject());

    // Assess
    expect(decision).toEqual({ effect: "explicit-deny", statement: "Statement[1] (NoFlowLogs)" });
  });

  it("lets a TLS request through a TLS-only Deny (Bool aws:SecureTransport false)", () => {
    // Prepare
    const document = policy(statement({}), {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [BUCKET, `${BUCKET}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });

    // Act
    const overTls = decide(document, putObject());
    const plain = decide(document, putObject(ACCOUNT, { "aws:SecureTransport": false }));

    // Assess
    expect(overTls).toMatchObject({ effect: "allow" });
    expect(plain).toMatchObject({ effect: "explicit-deny" });
  });
});

describe("evaluatePolicy: wildcards", () => {
  it("matches actions case-insensitively with * and ?, resources with * across slashes", () => {
    // Prepare
    const document = policy(statement({ Action: "S3:put?bject", Resource: `${BUCKET}/*/AWSLogs/*` }));
    const nested = { ...putObject(), resource: `${BUCKET}/${ACCOUNT}/AWSLogs/${ACCOUNT}/object` };

    // Act / Assess
    expect(decide(document, nested)).toMatchObject({ effect: "allow" });
    expect(decide(document, putObject())).toMatchObject({ effect: "implicit-deny" });
    expect(decide(document, { ...nested, action: "s3:GetObject" })).toMatchObject({
      effect: "implicit-deny",
    });
  });

  it("reads NotAction and NotResource as everything but the listed ones", () => {
    // Prepare
    const document = policy({
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      NotAction: "s3:Delete*",
      NotResource: `${BUCKET}/private/*`,
    });

    // Act / Assess
    expect(decide(document, putObject())).toMatchObject({ effect: "allow" });
    expect(decide(document, { ...putObject(), action: "s3:DeleteObject" })).toMatchObject({
      effect: "implicit-deny",
    });
    expect(decide(document, { ...putObject(), resource: `${BUCKET}/private/x` })).toMatchObject({
      effect: "implicit-deny",
    });
  });

  it("matches the principal: a service by name, '*' for everyone, an account or role ARN for IAM principals", () => {
    // Prepare
    const toEc2 = policy(statement({ Principal: { Service: "ec2.amazonaws.com" } }));
    const toAll = policy(statement({ Principal: "*" }));
    const toRole = policy(statement({ Principal: { AWS: "arn:aws:iam::111111111111:role/source" } }));
    const toAccount = policy(statement({ Principal: { AWS: ACCOUNT } }));
    const role = { kind: "aws", accountId: ACCOUNT, arn: "arn:aws:iam::111111111111:role/source" } as const;

    // Act / Assess
    expect(decide(toEc2, putObject())).toMatchObject({ effect: "implicit-deny" });
    expect(decide(toAll, putObject())).toMatchObject({ effect: "allow" });
    expect(decide(toRole, { ...putObject(), principal: role })).toMatchObject({ effect: "allow" });
    expect(decide(toAccount, { ...putObject(), principal: role })).toMatchObject({ effect: "allow" });
    expect(decide(toRole, putObject())).toMatchObject({ effect: "implicit-deny" });
  });

  it("evaluates a trust policy, which has no Resource, for the service that assumes the role", () => {
    // Prepare
    const trust = policy({
      Effect: "Allow",
      Principal: { Service: "vpc-flow-logs.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": ACCOUNT },
        ArnLike: { "aws:SourceArn": `arn:aws:ec2:*:${ACCOUNT}:vpc-flow-log/*` },
      },
    });
    const assume = (service: string): AccessRequest => ({
      principal: { kind: "service", service },
      action: "sts:AssumeRole",
      resource: "arn:aws:iam::111111111111:role/flow-logs-delivery",
      context: {
        "aws:SourceAccount": ACCOUNT,
        "aws:SourceArn": `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc-flow-log/{flow-log}`,
      },
    });

    // Act / Assess
    expect(decide(trust, assume("vpc-flow-logs.amazonaws.com"))).toMatchObject({ effect: "allow" });
    expect(decide(trust, assume("ec2.amazonaws.com"))).toMatchObject({ effect: "implicit-deny" });
  });
});

describe("evaluatePolicy: conditions", () => {
  it.each([
    ["StringEquals", { StringEquals: { "aws:SourceAccount": [OTHER, ACCOUNT] } }, true],
    ["StringEquals, no value matching", { StringEquals: { "aws:SourceAccount": OTHER } }, false],
    ["StringNotEquals", { StringNotEquals: { "aws:SourceAccount": OTHER } }, true],
    ["StringLike", { StringLike: { "aws:SourceArn": "arn:aws:logs:*:111111111111:*" } }, true],
    [
      "StringEqualsIgnoreCase",
      { StringEqualsIgnoreCase: { "s3:x-amz-acl": "Bucket-Owner-Full-Control" } },
      true,
    ],
    ["ArnLike, part by part", { ArnLike: { "aws:SourceArn": "arn:aws:logs:us-*:111111111111:*" } }, true],
    [
      "ArnEquals against another region",
      { ArnEquals: { "aws:SourceArn": "arn:aws:logs:eu-west-1:*:*" } },
      false,
    ],
    ["ArnNotLike", { ArnNotLike: { "aws:SourceArn": "arn:aws:logs:*:222222222222:*" } }, true],
    ["aws:SourceOrgID", { StringEquals: { "aws:SourceOrgID": "o-abc123def4" } }, true],
    ["aws:SourceOrgID of another organization", { StringEquals: { "aws:SourceOrgID": "o-zzz" } }, false],
    ["ForAnyValue:StringLike", { "ForAnyValue:StringLike": { "aws:SourceAccount": ["1111*"] } }, true],
    ["ForAllValues:StringEquals", { "ForAllValues:StringEquals": { "aws:SourceAccount": [OTHER] } }, false],
    [
      "StringEqualsIfExists on a key the request lacks",
      { StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } },
      true,
    ],
    ["StringEquals on a key the request lacks", { StringEquals: { "aws:SourceVpc": "vpc-1" } }, false],
    ["StringNotEquals on a key the request lacks", { StringNotEquals: { "aws:SourceVpc": "vpc-1" } }, true],
    ["Null true on a key the request lacks", { Null: { "aws:SourceVpc": "true" } }, true],
    ["Bool aws:SecureTransport", { Bool: { "aws:SecureTransport": "true" } }, true],
    [
      "every operator must hold",
      { StringEquals: { "aws:SourceAccount": ACCOUNT }, Bool: { "aws:SecureTransport": "false" } },
      false,
    ],
  ])("%s", (_name, condition, allowed) => {
    // Prepare
    const document = policy(statement({ Condition: condition }));
    const request = putObject(ACCOUNT, { "aws:SourceOrgID": "o-abc123def4", "aws:SourceVpc": "absent" });

    // Act
    const decision = decide(document, request);

    // Assess
    expect(decision.effect).toBe(allowed ? "allow" : "implicit-deny");
  });
});

describe("evaluatePolicy: what it cannot evaluate is undetermined, never allowed", () => {
  it("an unknown condition operator", () => {
    // Prepare
    const document = policy(statement({ Condition: { NumericLessThan: { "s3:max-keys": "10" } } }));

    // Act
    const decision = decide(document, putObject());

    // Assess
    expect(decision).toEqual({
      effect: "undetermined",
      reasons: ["Statement[0]: condition operator NumericLessThan is not evaluated"],
    });
  });

  it("a condition key the request context does not know", () => {
    // Prepare
    const document = policy(statement({ Condition: { StringEquals: { "aws:PrincipalTag/team": "x" } } }));

    // Act / Assess
    expect(decide(document, putObject())).toEqual({
      effect: "undetermined",
      reasons: ["Statement[0]: condition key aws:PrincipalTag/team is not known for this request"],
    });
  });

  it("a policy variable in a Resource", () => {
    // Prepare
    const document = policy(statement({ Resource: `${BUCKET}/AWSLogs/\${aws:SourceAccount}/*` }));

    // Act / Assess
    expect(decide(document, putObject())).toMatchObject({ effect: "undetermined" });
  });

  it("an undecidable Deny leaves even a matching Allow undetermined; an undecidable Allow does not", () => {
    // Prepare
    const unknownCondition = { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } };
    const withDeny = policy(statement({}), statement({ Effect: "Deny", Condition: unknownCondition }));
    const withAllow = policy(statement({}), statement({ Condition: unknownCondition }));

    // Act / Assess
    expect(decide(withDeny, putObject())).toMatchObject({ effect: "undetermined" });
    expect(decide(withAllow, putObject())).toMatchObject({ effect: "allow" });
  });

  it("reports a document that is not a policy instead of guessing", () => {
    expect(parsePolicyDocument("{not json")).toMatchObject({ error: expect.stringMatching(/^not JSON/) });
    expect(parsePolicyDocument({ Statement: ["x"] })).toEqual({ error: "Statement[0] is not an object" });
  });
});
