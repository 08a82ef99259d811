// The organization-wide wiring in template.yaml and templates/member.yaml, read the way CloudFormation reads them.
// cfn-lint checks both files against the resource schemas (npm run lint:template); these tests check intent.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/policy/parse.js";
import { HANDLED_EVENT_NAMES, OPT_IN_EVENT_NAMES } from "../../src/triggers/cloudtrail-event.js";
import { readTemplate } from "../../tools/sam-template.js";
import { seededPolicyText } from "../support/seeded-policy.js";

type Json = Record<string, unknown>;

function at(value: unknown, ...path: Array<string | number>): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function resource(template: Json, logicalId: string): Json {
  const found = at(template, "Resources", logicalId);
  if (typeof found !== "object" || found === null) throw new Error(`${logicalId} is not in the template`);
  return found as Json;
}

function statements(policies: unknown): Json[] {
  const list = Array.isArray(policies) ? policies : [];
  return list.flatMap((policy) => {
    const statement = at(policy, "Statement") ?? at(policy, "PolicyDocument", "Statement");
    return Array.isArray(statement) ? (statement as Json[]) : [];
  });
}

describe("member template", () => {
  it("lets only the listed central roles from inside the organization assume the member role", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const trust = at(resource(member, "FlowLogEnforcerMemberRole"), "Properties", "AssumeRolePolicyDocument");

    // Assess
    expect(at(trust, "Statement")).toEqual([
      {
        Effect: "Allow",
        Principal: { AWS: { Ref: "TrustedRoleArns" } },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalOrgID": { Ref: "OrganizationId" } } },
      },
    ]);
    expect(at(resource(member, "FlowLogEnforcerMemberRole"), "Properties", "RoleName")).toEqual({
      Ref: "MemberRoleName",
    });
  });

  it("creates the named member role in one region only, since IAM names are global", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const condition = resource(member, "FlowLogEnforcerMemberRole").Condition;

    // Assess
    expect(condition).toBe("OwnsGlobalResources");
    expect(at(member, "Conditions", "OwnsGlobalResources")).toEqual({
      "Fn::Equals": [{ Ref: "AWS::Region" }, { Ref: "GlobalResourcesRegion" }],
    });
  });

  it("tags flow logs only on creation and passes the delivery role only to the flow-logs service", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const bySid = new Map(
      statements(at(resource(member, "FlowLogEnforcerMemberRole"), "Properties", "Policies")).map((s) => [
        s.Sid,
        s,
      ]),
    );

    // Assess
    expect(bySid.get("TagFlowLogsOnCreate")).toMatchObject({
      Action: "ec2:CreateTags",
      Condition: { StringEquals: { "ec2:CreateAction": "CreateFlowLogs" } },
    });
    expect(bySid.get("PassDeliveryRoleToFlowLogs")).toMatchObject({
      Action: "iam:PassRole",
      Condition: { StringEquals: { "iam:PassedToService": "vpc-flow-logs.amazonaws.com" } },
    });
    expect([...bySid.values()].flatMap((s) => [s.Action].flat())).not.toContain("ec2:*");
  });

  it("forwards every handled event but the opt-in ones by default, and all of them when opted in", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");
    const pattern = at(resource(member, "ForwardNetworkCallsRule"), "Properties", "EventPattern");
    const alternatives = at(pattern, "detail", "$or");
    const names = (forwardInterfaces: boolean): string[] =>
      (Array.isArray(alternatives) ? alternatives : []).flatMap((alternative) =>
        listWhen(at(alternative, "eventName"), { RoutesInterfaceCreation: forwardInterfaces }),
      );

    // Act
    const byDefault = names(at(member, "Parameters", "InterfaceCreationEvents", "Default") === "true");
    const optedIn = names(true);

    // Assess
    const optIn: readonly string[] = OPT_IN_EVENT_NAMES;
    expect(at(member, "Conditions", "RoutesInterfaceCreation")).toEqual({
      "Fn::Equals": [{ Ref: "InterfaceCreationEvents" }, "true"],
    });
    expect(byDefault.toSorted()).toEqual(
      HANDLED_EVENT_NAMES.filter((name) => !optIn.includes(name)).toSorted(),
    );
    expect(optedIn.toSorted()).toEqual([...HANDLED_EVENT_NAMES].toSorted());
  });

  it("forwards tag changes only when they name a VPC or a subnet, and no event name twice", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const alternatives = at(
      resource(member, "ForwardNetworkCallsRule"),
      "Properties",
      "EventPattern",
      "detail",
      "$or",
    );
    const tagChanges = (Array.isArray(alternatives) ? alternatives : []).filter((alternative) =>
      listWhen(at(alternative, "eventName"), { RoutesInterfaceCreation: true }).includes("CreateTags"),
    );
    const all = (Array.isArray(alternatives) ? alternatives : []).flatMap((alternative) =>
      listWhen(at(alternative, "eventName"), { RoutesInterfaceCreation: true }),
    );

    // Assess
    expect(tagChanges).toEqual([
      {
        eventName: ["CreateTags", "DeleteTags"],
        requestParameters: {
          resourcesSet: { items: { resourceId: [{ prefix: "vpc-" }, { prefix: "subnet-" }] } },
        },
      },
    ]);
    expect(new Set(all).size).toBe(all.length);
  });

  it("filters like the central rule routing to the enforcer: EC2 CloudTrail calls that did not fail", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");
    const central = readTemplate("template.yaml");

    // Act
    const forwarded = at(resource(member, "ForwardNetworkCallsRule"), "Properties", "EventPattern");
    const routed = at(resource(central, "OrganizationNetworkResourceCallsRule"), "Properties");

    // Assess
    expect(at(routed, "EventPattern")).toEqual(forwarded);
    expect(at(routed, "EventBusName")).toEqual({ Ref: "CentralEventBus" });
  });
});

/** A list property as CloudFormation resolves it: a plain list, or an Fn::If on the given conditions' values. */
function listWhen(value: unknown, conditions: Record<string, boolean>): string[] {
  const branches = at(value, "Fn::If");
  if (Array.isArray(branches)) {
    const [condition, whenTrue, whenFalse] = branches;
    if (typeof condition !== "string" || !(condition in conditions))
      throw new Error(`unexpected condition ${String(condition)}`);
    return listWhen(conditions[condition] ? whenTrue : whenFalse, conditions);
  }
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

describe("delivery roles", () => {
  const deliveryTrust = {
    Effect: "Allow",
    Principal: { Service: "vpc-flow-logs.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: {
      StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
      ArnLike: {
        "aws:SourceArn": { "Fn::Sub": "arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:vpc-flow-log/*" },
      },
    },
  };

  it.each(["templates/member.yaml", "template.yaml"])(
    "%s creates the delivery role for the flow-logs service of its own account only, limited to the prefix",
    (path) => {
      // Prepare
      const template = readTemplate(path);

      // Act
      const role = resource(template, "FlowLogsDeliveryRole");
      const permissions = statements(at(role, "Properties", "Policies"));

      // Assess
      expect(at(role, "Properties", "RoleName")).toEqual({ Ref: "DeliveryRoleName" });
      expect(at(role, "Properties", "AssumeRolePolicyDocument", "Statement")).toEqual([deliveryTrust]);
      expect(permissions).toEqual([
        expect.objectContaining({
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [
            {
              "Fn::Sub":
                "arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:${DeliveryLogGroupPrefix}*",
            },
            {
              "Fn::Sub":
                "arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:${DeliveryLogGroupPrefix}*:log-stream:*",
            },
          ],
        }),
      ]);
      expect(at(role, "Properties", "ManagedPolicyArns")).toEqual([{ Ref: "FindLogGroupsPolicy" }]);
    },
  );

  it("creates the member delivery role once per account (IAM is global), on by default, never in the central account", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const condition = at(member, "Conditions", resource(member, "FlowLogsDeliveryRole").Condition as string);

    // Assess
    expect(condition).toEqual({
      "Fn::And": [
        { "Fn::Equals": [{ Ref: "AWS::Region" }, { Ref: "GlobalResourcesRegion" }] },
        { "Fn::Not": [{ "Fn::Equals": [{ Ref: "CreateDeliveryRole" }, "false"] }] },
        {
          "Fn::Not": [
            {
              "Fn::Equals": [
                { Ref: "AWS::AccountId" },
                { "Fn::Select": [4, { "Fn::Split": [":", { Ref: "CentralEventBusArn" }] }] },
              ],
            },
          ],
        },
      ],
    });
    expect(at(member, "Parameters", "CreateDeliveryRole", "Default")).toBe("true");
  });

  it("lets the source role of cross-account Firehose assume only AWS's destination-role name in the stream's account", () => {
    // Prepare
    const member = readTemplate("templates/member.yaml");

    // Act
    const role = resource(member, "FlowLogsFirehoseSourceRole");
    const bySid = new Map(statements(at(role, "Properties", "Policies")).map((s) => [s.Sid, s]));

    // Assess
    expect(at(role, "Properties", "AssumeRolePolicyDocument", "Statement", 0)).toMatchObject({
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
    });
    expect(bySid.get("AssumeDestinationAccountRole")?.Resource).toEqual({
      "Fn::Sub":
        "arn:${AWS::Partition}:iam::${FirehoseDestinationAccountId}:role/AWSLogDeliveryFirehoseCrossAccountRole*",
    });
    expect(
      at(resource(member, "PassFirehoseSourceRolePolicy"), "Properties", "PolicyDocument", "Statement", 0),
    ).toMatchObject({
      Action: "iam:PassRole",
      Condition: { StringEquals: { "iam:PassedToService": "delivery.logs.amazonaws.com" } },
    });
  });
});

describe("central bucket (CreateCentralBucket)", () => {
  it("blocks public access, encrypts with its own key, expires objects and is off by default", () => {
    // Prepare
    const central = readTemplate("template.yaml");

    // Act
    const bucket = resource(central, "CentralFlowLogBucket");

    // Assess
    expect(at(central, "Parameters", "CreateCentralBucket", "Default")).toBe("false");
    expect(bucket.Condition).toBe("CreatesCentralBucket");
    expect(at(bucket, "Properties")).toMatchObject({
      BucketName: { Ref: "CentralFlowLogBucketName" },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: "aws:kms",
              KMSMasterKeyID: { "Fn::GetAtt": ["CentralFlowLogKey", "Arn"] },
            },
          },
        ],
      },
      LifecycleConfiguration: {
        Rules: [{ Status: "Enabled", ExpirationInDays: { Ref: "FlowLogRetentionDays" } }],
      },
    });
  });

  it("lets log delivery encrypt with the key and write AWSLogs/ for the organization's accounts only, over TLS", () => {
    // Prepare
    const central = readTemplate("template.yaml");
    const orgOnly = (extra: Json = {}) => ({
      "Fn::If": [
        "OrganizationWide",
        { StringEquals: { "aws:SourceOrgID": { Ref: "OrganizationId" }, ...extra } },
        { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" }, ...extra } },
      ],
    });

    // Act
    const key = statements([at(resource(central, "CentralFlowLogKey"), "Properties", "KeyPolicy")]);
    const bucketPolicy = new Map(
      statements([at(resource(central, "CentralFlowLogBucketPolicy"), "Properties")]).map((s) => [s.Sid, s]),
    );

    // Assess
    expect(key.find((s) => s.Sid === "LogDeliveryEncryptsFlowLogs")).toEqual({
      Sid: "LogDeliveryEncryptsFlowLogs",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: orgOnly(),
    });
    expect(bucketPolicy.get("AWSLogDeliveryWrite")).toMatchObject({
      Action: "s3:PutObject",
      Condition: orgOnly({ "s3:x-amz-acl": "bucket-owner-full-control" }),
    });
    expect(bucketPolicy.get("AWSLogDeliveryAclCheck")).toMatchObject({
      Action: "s3:GetBucketAcl",
      Condition: orgOnly(),
    });
    expect(bucketPolicy.get("DenyInsecureTransport")).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});

describe("central template", () => {
  it("accepts PutEvents on the central bus only from principals of the organization", () => {
    // Prepare
    const central = readTemplate("template.yaml");

    // Act
    const statement = at(resource(central, "CentralEventBusPolicy"), "Properties", "Statement");

    // Assess
    expect(statement).toMatchObject({
      Effect: "Allow",
      Action: "events:PutEvents",
      Condition: { StringEquals: { "aws:PrincipalOrgID": { Ref: "OrganizationId" } } },
    });
  });

  it("deploys the packaged member template to the targets and governed regions, trusting the acting functions", () => {
    // Prepare
    const central = readTemplate("template.yaml");
    const properties = at(resource(central, "MemberStackSet"), "Properties") as Json;

    // Act
    const parameters = new Map(
      (properties.Parameters as Json[]).map((p) => [p.ParameterKey, p.ParameterValue] as const),
    );

    // Assess
    expect(existsSync(String(properties.TemplateURL))).toBe(true);
    expect(properties).toMatchObject({
      PermissionModel: "SERVICE_MANAGED",
      AutoDeployment: { Enabled: true },
      StackInstancesGroup: [
        {
          Regions: {
            "Fn::If": ["GovernsAllRegions", { Ref: "MemberStackRegions" }, { Ref: "GovernedRegions" }],
          },
        },
      ],
    });
    for (const name of ["DeliveryRoleName", "CreateDeliveryRole", "DeliveryLogGroupPrefix"])
      expect(parameters.get(name), name).toEqual({ Ref: name });
    expect(at(parameters.get("TrustedRoleArns"), "Fn::Join", 1)).toEqual(
      expect.arrayContaining([
        { "Fn::GetAtt": ["EventEnforcerFunctionRole", "Arn"] },
        { "Fn::GetAtt": ["SweepWorkerFunctionRole", "Arn"] },
      ]),
    );
  });

  it("runs the worker on the sweep queue with partial batch responses, bounded concurrency and a DLQ", () => {
    // Prepare
    const central = readTemplate("template.yaml");

    // Act
    const worker = at(resource(central, "SweepWorkerFunction"), "Properties") as Json;
    const queue = at(resource(central, "SweepQueue"), "Properties") as Json;

    // Assess
    expect(at(worker, "Events", "SweepMessages", "Properties")).toMatchObject({
      Queue: { "Fn::GetAtt": ["SweepQueue", "Arn"] },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(worker.ReservedConcurrentExecutions).toEqual({ Ref: "SweepWorkerConcurrency" });
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": ["SweepDeadLetterQueue", "Arn"] },
      maxReceiveCount: 3,
    });
    // FIFO (deduplicated enqueue), its dead-letter queue too as SQS requires; ids set by the coordinator.
    expect(queue).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
    expect(at(resource(central, "SweepDeadLetterQueue"), "Properties", "FifoQueue")).toBe(true);
    expect(Number(at(worker, "Events", "SweepMessages", "Properties", "BatchSize"))).toBeLessThanOrEqual(10);
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * Number(worker.Timeout));
  });

  it("starts the sweep on an EventBridge Scheduler schedule with an empty request", () => {
    // Prepare
    const central = readTemplate("template.yaml");

    // Act
    const schedule = at(resource(central, "OrgSweepFunction"), "Properties", "Events", "Daily") as Json;

    // Assess
    expect(schedule.Type).toBe("ScheduleV2");
    expect(at(schedule, "Properties")).toMatchObject({
      ScheduleExpression: { Ref: "SweepSchedule" },
      Input: "{}",
    });
    expect(at(central, "Parameters", "SweepSchedule", "Default")).toBe("rate(1 day)");
  });
});

describe("seeded policy", () => {
  it.each([
    [{}, { type: "s3", arn: "arn:${Partition}:s3:::central-flow-logs/${AccountId}/" }],
    [
      { CreateCentralBucket: "true", CentralFlowLogBucketName: "org-flow-logs" },
      { type: "s3", arn: "arn:${Partition}:s3:::org-flow-logs/${AccountId}/" },
    ],
    [
      { DefaultDestination: "cloud-watch-logs", DeliveryRoleName: "delivery", FlowLogRetentionDays: "90" },
      {
        type: "cloud-watch-logs",
        logGroupName: "/vpc-flow-logs/${VpcId}",
        deliverLogsPermissionArn: "arn:${Partition}:iam::${AccountId}:role/delivery",
        logGroup: { retentionDays: 90 },
      },
    ],
  ])("is a valid policy naming what the stacks create (%j)", (parameters, destination) => {
    // Act
    const policy = parsePolicy(seededPolicyText(parameters), "template.yaml PolicyParameter");

    // Assess
    expect(policy.defaults.destination).toEqual(destination);
  });
});
