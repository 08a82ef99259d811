// Security properties of the templates as CloudFormation deploys them: template.yaml after SAM's transform (the
// roles SAM generates are checked too), templates/member.yaml and templates/observability.yaml (template.yaml deploys
// both). Inline policies and the templates' own customer managed policies are held to the same rules. If the SAM
// translator cannot run, these fail.
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/policy/parse.js";
import {
  lazyTransform,
  loadServiceAuthorization,
  type ServiceAuthorization,
  type TransformedTemplate,
} from "../support/sam-transform.js";
import { seededPolicyText } from "../support/seeded-policy.js";
import { reachableSources, sdkActionsOf } from "../support/source-graph.js";
import {
  actionMatches,
  type CfnTemplate,
  checkAssumeRole,
  checkDuplicateStatements,
  checkEventBusPolicies,
  checkFailureHandling,
  checkFunctionLogs,
  checkLambdaPermissionSources,
  checkManagedPolicies,
  checkNoWildcardActions,
  checkPassRole,
  checkResourcePolicies,
  checkServiceTrust,
  checkWildcardResources,
  decide,
  evaluateConditions,
  type FailureExpectation,
  functionGrants,
  getAttIds,
  missingActions,
  type ParameterValues,
  policyStatements,
  resourcePolicyStatements,
  roleOfFunction,
  rolesGranting,
  statementsOfRole,
  type WildcardResourceAllowance,
} from "../support/template-checks.js";

/**
 * The only actions an Allow may grant on Resource "*". Anything else on "*" fails: scope it to ARNs. Entries marked
 * `none` are checked against the Service Authorization Reference data cfn-lint ships, for every action the
 * templates use, so an entry cannot silently cover an action that does support resource-level permissions.
 */
const WILDCARD_RESOURCE_ALLOWANCES: readonly WildcardResourceAllowance[] = [
  {
    // DescribeVpcs, DescribeSubnets, DescribeFlowLogs, DescribeNetworkInterfaces, DescribeTransitGateways,
    // DescribeTransitGatewayAttachments: EC2's list/describe calls take no resource ARN. A Describe* action that does
    // (DescribeInstanceAttribute, ...) still fails through the Service Authorization Reference check.
    action: "ec2:Describe*",
    resourceLevel: "none",
    why: "EC2 Describe calls have no resource-level permissions",
  },
  {
    // Required of the caller of CreateFlowLogs for S3 and Firehose destinations (vended logs, v1 API).
    action: "logs:CreateLogDelivery",
    resourceLevel: "none",
    why: "vended-log delivery API; no resource types",
  },
  {
    action: "logs:DeleteLogDelivery",
    resourceLevel: "none",
    why: "vended-log delivery API; no resource types",
  },
  {
    // Log groups the enforcer prepares or doctor checks, and the delivery role's lookup (AWS's documented set).
    action: "logs:DescribeLogGroups",
    resourceLevel: "none",
    why: "CloudWatch Logs DescribeLogGroups has no resource types",
  },
  {
    // The Firehose source-account role of AWS's two-role cross-account setup.
    action: "logs:ListLogDeliveries",
    resourceLevel: "none",
    why: "vended-log delivery API; no resource types",
  },
  {
    action: "logs:GetLogDelivery",
    resourceLevel: "none",
    why: "vended-log delivery API; no resource types",
  },
  {
    // The Config rule's verdicts; the result token, not an ARN, binds them to the rule.
    action: "config:PutEvaluations",
    resourceLevel: "none",
    why: "AWS Config PutEvaluations has no resource types",
  },
  {
    // The org sweep coordinator's account list (the boundary describes one account at a time instead).
    action: "organizations:ListAccounts",
    resourceLevel: "none",
    why: "Organizations ListAccounts has no resource types",
  },
  {
    // OU ancestry for `organizationalUnits` policy rules. Scoping needs the management account's id (it is in every
    // Organizations ARN) which this stack does not know, and OrganizationId is empty in single-account stacks; the
    // call reads nothing but the parent of an account or OU.
    action: "organizations:ListParents",
    resourceLevel: "read-only",
    why: "read-only; its ARNs embed the management account id, unknown to the stack",
  },
  {
    // Not used today; EMF (log lines) carries the metrics. Listed because it is the documented exception.
    action: "cloudwatch:PutMetricData",
    resourceLevel: "none",
    why: "CloudWatch PutMetricData has no resource types (scope with cloudwatch:namespace)",
  },
  {
    // Not used today (no active tracing); what SAM's Tracing would need.
    action: "xray:PutT*",
    resourceLevel: "none",
    why: "X-Ray PutTraceSegments / PutTelemetryRecords have no resource types",
  },
];

/**
 * AWS managed policies allowed on roles (their statements are not in the template, so cannot be checked): none.
 * SAM attaches AWSLambdaBasicExecutionRole (logs writes on every log group) and AWSLambdaSQSQueueExecutionRole
 * (receive and delete on every queue) to the roles it generates, which is why every function has its own role.
 */
const ALLOWED_MANAGED_POLICIES: ReadonlyMap<string, string> = new Map();

/** How each function's failures end up somewhere an operator sees them, and why that suits its triggers. */
const FAILURE_PATHS: Readonly<Record<string, FailureExpectation>> = {
  EventEnforcerFunction: {
    path: "sqs-redrive",
    why:
      "it consumes EventQueue: a record still failing after maxReceiveCount receives moves to " +
      "EnforcerDeadLetterQueue; events the rules could not deliver to the queue go there through each target's " +
      "DeadLetterConfig",
  },
  ConfigRuleFunction: {
    path: "on-failure-destination",
    why: "AWS Config invokes it asynchronously; a run still failing after the retries goes to EnforcerDeadLetterQueue",
  },
  ConfigRemediationFunction: {
    path: "on-failure-destination",
    why:
      "SSM Automation invokes it synchronously, so Config records the failure and retries (MaximumAutomaticAttempts); " +
      "the destination catches asynchronous invocations (a manual replay) that no caller would see fail",
  },
  OrgSweepFunction: {
    path: "on-failure-destination",
    why:
      "EventBridge Scheduler invokes it asynchronously: a failed run goes to EnforcerDeadLetterQueue, and an " +
      "invocation the scheduler could not make goes there through the schedule's DeadLetterConfig",
  },
  PolicyAuditFunction: {
    path: "on-failure-destination",
    why:
      "EventBridge invokes it asynchronously: a policy change it could not log or notify about goes to " +
      "EnforcerDeadLetterQueue after Lambda's retries, and one the rule could not deliver through its DeadLetterConfig",
  },
  SweepWorkerFunction: {
    path: "sqs-redrive",
    why:
      "it polls SweepQueue (asynchronous destinations do not apply to event source mappings): a message failing " +
      "maxReceiveCount times moves to SweepDeadLetterQueue",
  },
};

const TEMPLATES = [
  "template.yaml",
  "templates/member.yaml",
  "templates/observability.yaml",
  "templates/guardrails.yaml",
] as const;

/** Services that assume a role only for the resource naming it: no confused deputy to guard against. */
const TRUST_WITHOUT_SOURCE = ["lambda.amazonaws.com"];

/** Lambda permissions for a service that CloudFormation cannot restrict to a source AWS supports, and why. */
const UNRESTRICTABLE_PERMISSIONS: ReadonlyMap<string, string> = new Map([
  [
    "ConfigRuleFunctionOrganizationPermission",
    "Config in every member account invokes it; AWS::Lambda::Permission takes one SourceAccount and a SourceArn " +
      "without account wildcards, and PrincipalOrgID does not apply to service principals. The function refuses " +
      "an account outside ORGANIZATION_ID before any AssumeRole or PutEvaluations.",
  ],
]);

/** What the engine's EC2 gateway can call: every role that runs the engine must be allowed each Describe. */
const ENGINE_GATEWAY = "src/gateways/ec2-gateway.ts";
const ENGINE_DESCRIBES = sdkActionsOf(ENGINE_GATEWAY, "ec2", "ec2").filter((a) =>
  a.startsWith("ec2:Describe"),
);

/** The handler file a function's `Handler: name.handler` runs. */
function handlerFile(fn: { Properties?: Record<string, unknown> }): string {
  return `handlers/${String(fn.Properties?.Handler).replace(/\.handler$/, "")}.ts`;
}

// The translator takes a second or two per template, once per file; a failure fails every test with its message.
describe("templates after SAM's transform", () => {
  const transforms = new Map(TEMPLATES.map((path) => [path, lazyTransform(path)] as const));
  let serviceAuthorization: ServiceAuthorization | undefined;

  function transformed(path: string): TransformedTemplate {
    const transform = transforms.get(path as (typeof TEMPLATES)[number]);
    if (transform === undefined) throw new Error(`${path} is not one of the templates`);
    return transform();
  }

  function templateAt(path: string): CfnTemplate {
    return transformed(path).template;
  }

  function authorization(): ServiceAuthorization {
    serviceAuthorization ??= loadServiceAuthorization(transformed("template.yaml").serviceAuthorizationPath);
    return serviceAuthorization;
  }

  it("lets nothing but the two network-call rules and the enforcer's role send to the event queue", () => {
    // Act
    const document = templateAt("template.yaml").Resources?.EventQueuePolicy?.Properties?.PolicyDocument as
      | { Statement: Array<Record<string, unknown>> }
      | undefined;
    const statements = document?.Statement ?? [];

    // Assess
    const rules = [
      { "Fn::GetAtt": ["NetworkResourceCallsRule", "Arn"] },
      { "Fn::GetAtt": ["OrganizationNetworkResourceCallsRule", "Arn"] },
    ];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:SendMessage",
        Condition: {
          ArnNotEquals: {
            "aws:SourceArn": rules,
            "aws:PrincipalArn": { "Fn::GetAtt": ["EventEnforcerFunctionRole", "Arn"] },
          },
        },
      }),
    );
    expect(statements.filter((statement) => statement.Effect === "Allow")).toEqual([
      expect.objectContaining({
        Principal: { Service: "events.amazonaws.com" },
        Condition: { ArnEquals: { "aws:SourceArn": rules } },
      }),
    ]);
  });

  it("expands template.yaml into the resources it deploys, with a role of its own for every function", () => {
    // Act
    const central = templateAt("template.yaml");
    const functionRoles = Object.values(central.Resources ?? {})
      .filter((r) => r.Type === "AWS::Lambda::Function")
      .map((r) => r.Properties?.Role);

    // Assess
    expect(Object.values(central.Resources ?? {}).some((r) => r.Type.startsWith("AWS::Serverless::"))).toBe(
      false,
    );
    expect(functionRoles).toHaveLength(Object.keys(FAILURE_PATHS).length);
    for (const role of functionRoles) {
      const [roleId] = (role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"];
      expect(central.Resources?.[roleId]?.Type).toBe("AWS::IAM::Role");
    }
    // Every role and customer managed policy has its statements seen, so the checks below are not vacuous.
    const holders = new Set(policyStatements(central).map((s) => s.holder));
    for (const [id, resource] of Object.entries(central.Resources ?? {}))
      if (resource.Type === "AWS::IAM::Role" || resource.Type === "AWS::IAM::ManagedPolicy")
        expect(holders.has(id), id).toBe(true);
    expect(policyStatements(templateAt("templates/member.yaml")).length).toBeGreaterThan(5);
  });

  it("deploys nested templates only from files these tests check", () => {
    // Act: the packaged paths of nested stacks and stack sets, as the transform leaves them.
    const nested = Object.values(templateAt("template.yaml").Resources ?? {})
      .filter((r) => r.Type === "AWS::CloudFormation::Stack" || r.Type === "AWS::CloudFormation::StackSet")
      .map((r) => r.Properties?.TemplateURL);

    // Assess
    expect(nested.length).toBeGreaterThan(0);
    for (const url of nested) expect(TEMPLATES).toContain(url);
  });

  it.each(TEMPLATES)(
    "%s grants no Action '*' or 'service:*', and no Allow with NotAction/NotResource",
    (path) => {
      expect(checkNoWildcardActions(policyStatements(templateAt(path)))).toEqual([]);
    },
  );

  it.each(TEMPLATES)(
    "%s binds every resource-policy Allow to a service or to everyone to an account or the organization",
    (path) => {
      expect(checkResourcePolicies(resourcePolicyStatements(templateAt(path)))).toEqual([]);
      expect(checkNoWildcardActions(resourcePolicyStatements(templateAt(path)))).toEqual([]);
    },
  );

  it("sees the resource policies template.yaml deploys (bucket, key, queue, event bus)", () => {
    // Act
    const holders = new Set(resourcePolicyStatements(templateAt("template.yaml")).map((s) => s.holder));

    // Assess
    expect([...holders].sort()).toEqual(
      expect.arrayContaining([
        "CentralEventBusPolicy",
        "CentralFlowLogBucketPolicy",
        "CentralFlowLogKey",
        "EnforcerDeadLetterQueuePolicy",
      ]),
    );
  });

  it.each(TEMPLATES)("%s grants on Resource '*' only the allow-listed actions", (path) => {
    expect(
      checkWildcardResources(
        policyStatements(templateAt(path)),
        WILDCARD_RESOURCE_ALLOWANCES,
        authorization(),
      ),
    ).toEqual([]);
  });

  it.each(TEMPLATES)("%s conditions every iam:PassRole on iam:PassedToService", (path) => {
    expect(checkPassRole(policyStatements(templateAt(path)))).toEqual([]);
  });

  it.each(TEMPLATES)("%s allows sts:AssumeRole only on role ARNs", (path) => {
    const template = templateAt(path);
    expect(checkAssumeRole(policyStatements(template), template)).toEqual([]);
  });

  it.each(TEMPLATES)("%s attaches no managed policy whose statements are not in the template", (path) => {
    expect(checkManagedPolicies(templateAt(path), ALLOWED_MANAGED_POLICIES)).toEqual([]);
  });

  it.each(TEMPLATES)("%s defines no permission in two places", (path) => {
    expect(checkDuplicateStatements(policyStatements(transformed(path).source))).toEqual([]);
  });

  it("grants ec2:DeleteFlowLogs only to the roles that enforce, on flow logs of their own account", () => {
    // Act
    const central = rolesGranting(templateAt("template.yaml"), "ec2:DeleteFlowLogs");
    const member = rolesGranting(templateAt("templates/member.yaml"), "ec2:DeleteFlowLogs");

    // Assess: the Config rule evaluator and the sweep coordinator never write; everything else is not ours.
    expect([...central.keys()].sort()).toEqual([
      "ConfigRemediationFunctionRole",
      "EventEnforcerFunctionRole",
      "SweepWorkerFunctionRole",
    ]);
    expect([...member.keys()]).toEqual(["FlowLogEnforcerMemberRole"]);
    const flowLogsOfThisAccount = {
      "Fn::Sub": "arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:vpc-flow-log/*",
    };
    for (const statements of [...central.values(), ...member.values()])
      for (const { where, statement } of statements) {
        expect(statement.Resource, where).toEqual(flowLogsOfThisAccount);
        expect(statement.Action, where).toEqual("ec2:DeleteFlowLogs");
      }
  });

  it("gives every function a log group with a retention, which its role may write to", () => {
    expect(checkFunctionLogs(templateAt("template.yaml"))).toEqual([]);
  });

  it("gives every function the failure path its triggers call for, and every rule or schedule target a DLQ", () => {
    expect(checkFailureHandling(templateAt("template.yaml"), FAILURE_PATHS)).toEqual([]);
    expect(checkFailureHandling(templateAt("templates/member.yaml"), {})).toEqual([]);
  });

  it.each(TEMPLATES)("%s: every role a service assumes on someone's behalf names the source", (path) => {
    expect(checkServiceTrust(templateAt(path), TRUST_WITHOUT_SOURCE)).toEqual([]);
  });

  it("restricts every Lambda permission for an AWS service to its source, but the documented exceptions", () => {
    expect(checkLambdaPermissionSources(templateAt("template.yaml"), UNRESTRICTABLE_PERMISSIONS)).toEqual([]);
  });

  it("lets only the organization put events on the central bus, and only CloudTrail records from EC2", () => {
    // Act
    const violations = checkEventBusPolicies(templateAt("template.yaml"));
    const buses = Object.values(templateAt("template.yaml").Resources ?? {}).filter(
      (r) => r.Type === "AWS::Events::EventBusPolicy",
    );

    // Assess
    expect(buses).toHaveLength(1);
    expect(violations).toEqual([]);
  });

  it("grants every Describe the EC2 gateway can call to every role that runs the engine, and to the member role", () => {
    // Prepare
    const central = templateAt("template.yaml");
    const engineFunctions = Object.entries(central.Resources ?? {}).filter(
      ([, r]) => r.Type === "AWS::Lambda::Function" && reachableSources(handlerFile(r)).has(ENGINE_GATEWAY),
    );

    // Act
    const missing = engineFunctions.map(([id, fn]) => [
      id,
      missingActions(statementsOfRole(central, roleOfFunction(fn) ?? ""), ENGINE_DESCRIBES),
    ]);
    const member = missingActions(
      statementsOfRole(templateAt("templates/member.yaml"), "FlowLogEnforcerMemberRole"),
      ENGINE_DESCRIBES,
    );

    // Assess: the list is derived from the gateway, so it is not vacuous.
    expect(ENGINE_DESCRIBES).toEqual(
      expect.arrayContaining(["ec2:DescribeVpcs", "ec2:DescribeTransitGateways"]),
    );
    expect(engineFunctions.map(([id]) => id).sort()).toEqual([
      "ConfigRemediationFunction",
      "ConfigRuleFunction",
      "EventEnforcerFunction",
      "SweepWorkerFunction",
    ]);
    expect(missing).toEqual(engineFunctions.map(([id]) => [id, []]));
    expect(member).toEqual([]);
  });

  it("grants sts:AssumeRole to exactly the roles the member role trusts", () => {
    // Prepare
    const central = templateAt("template.yaml");
    const stackSet = central.Resources?.MemberStackSet?.Properties?.Parameters;
    const trusted = (Array.isArray(stackSet) ? stackSet : []).find(
      (p: { ParameterKey?: string }) => p.ParameterKey === "TrustedRoleArns",
    ) as { ParameterValue?: unknown } | undefined;

    // Act
    // The member role, that is: the Firehose source role assumes the log archive's delivery role, not it.
    const holders = [...rolesGranting(central, "sts:AssumeRole")]
      .filter(([, statements]) =>
        statements.some(({ statement }) => JSON.stringify(statement.Resource).includes("MemberRoleName")),
      )
      .map(([role]) => role);

    // Assess
    expect(holders.sort()).toEqual(getAttIds(trusted?.ParameterValue).sort());
    expect(holders).not.toContain("ConfigRemediationFunctionRole");
  });

  it("seeds a valid policy that exempts nothing: no opt-out anyone with ec2:CreateTags could use", () => {
    // Prepare
    const parameterSets: Array<Record<string, string>> = [
      {},
      { DefaultDestination: "cloud-watch-logs" },
      { CreateCentralBucket: "true" },
    ];
    const seeded = parameterSets.map((parameters) => seededPolicyText(parameters));

    // Act
    const policies = seeded.map((text) => parsePolicy(text, "template.yaml PolicyParameter"));

    // Assess
    for (const policy of policies) expect(policy.rules.filter((rule) => rule.exempt)).toEqual([]);
  });

  it("keeps the allow-list honest: `none` entries name actions AWS lists without resource types", () => {
    for (const allowance of WILDCARD_RESOURCE_ALLOWANCES.filter((a) => a.resourceLevel === "none")) {
      // Prepare
      const [service = "", pattern = ""] = allowance.action.split(":");

      // Act
      const known = [...(authorization().get(service.toLowerCase()) ?? new Map<string, readonly string[]>())]
        .filter(([action]) => actionMatches(pattern, action))
        .map(([action, types]) => ({ action, types }));

      // Assess: a pattern such as ec2:Describe* also matches scoped actions, which the per-action check rejects.
      expect(
        known.filter(({ types }) => types.length === 0),
        allowance.action,
      ).not.toEqual([]);
      if (!/[*?]/.test(pattern))
        expect(known, allowance.action).toEqual([{ action: pattern.toLowerCase(), types: [] }]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Findings, notifications and coverage history: granted only to the functions that use them, on the named
// resources, and not at all while their parameter is off.

const OUTPUT_ACTIONS = /^(securityhub:|sns:publish$|s3:putobject$)/i;
const ENGINE_FUNCTIONS = [
  "ConfigRemediationFunction",
  "ConfigRuleFunction",
  "EventEnforcerFunction",
  "SweepWorkerFunction",
];
const TOPIC = "arn:aws:sns:us-east-1:123456789012:flow-log-alerts";
const ORGANIZATION = { OrganizationId: "o-exampleorg01", MemberDeploymentTargets: "r-ab12" };
const OUTPUTS_ON: ParameterValues = {
  ...ORGANIZATION,
  SecurityHubFindings: "on",
  NotificationTopicArn: TOPIC,
  ReportBucket: "flow-log-history",
};
const HUB = "arn:AWS::Partition:securityhub:*:AWS::AccountId:hub/default";
const PRODUCT = "arn:AWS::Partition:securityhub:*:AWS::AccountId:product/AWS::AccountId/default";

describe("output permissions after SAM's transform", { timeout: 60_000 }, () => {
  const central = lazyTransform("template.yaml");
  const member = lazyTransform("templates/member.yaml");
  const outputGrants = (parameters: ParameterValues) => {
    const template = central().template;
    return functionGrants(template, evaluateConditions(template, parameters), parameters)
      .filter((grant) => OUTPUT_ACTIONS.test(grant.action))
      .map(({ functionId, action, resource, condition }) => ({
        functionId,
        action,
        resource,
        ...(condition === undefined ? {} : { condition }),
      }));
  };

  it.each([
    ["single-account, outputs off", {}],
    ["organization-wide, outputs off", ORGANIZATION],
  ])("%s: no function may touch Security Hub, SNS or S3 objects", (_, parameters) => {
    expect(outputGrants(parameters)).toEqual([]);
  });

  it("outputs on: Security Hub to the engine functions on their own account's product and hub", () => {
    // Act
    const grants = outputGrants(OUTPUTS_ON).filter((g) => g.action.startsWith("securityhub:"));

    // Assess
    expect(grants).toHaveLength(ENGINE_FUNCTIONS.length * 3);
    for (const functionId of ENGINE_FUNCTIONS)
      expect(grants.filter((g) => g.functionId === functionId)).toEqual([
        { functionId, action: "securityhub:BatchImportFindings", resource: PRODUCT },
        { functionId, action: "securityhub:GetFindings", resource: HUB },
        {
          functionId,
          action: "securityhub:BatchUpdateFindings",
          resource: HUB,
          condition: { StringEquals: { "securityhub:ASFFSyntaxPath/Workflow.Status": "RESOLVED" } },
        },
      ]);
  });

  it("outputs on: sns:Publish to the engine functions, on the topic parameter only", () => {
    // Act
    const grants = outputGrants(OUTPUTS_ON).filter((g) => g.action === "sns:Publish");

    // Assess
    expect(grants.map((g) => g.functionId).sort()).toEqual(ENGINE_FUNCTIONS);
    expect(new Set(grants.map((g) => g.resource))).toEqual(new Set([TOPIC]));
  });

  it("outputs on: s3:PutObject to the sweep only, on the history's keys of the named bucket", () => {
    // Act
    const grants = outputGrants(OUTPUTS_ON).filter((g) => g.action === "s3:PutObject");

    // Assess
    expect(grants).toEqual([
      {
        functionId: "OrgSweepFunction",
        action: "s3:PutObject",
        resource: "arn:AWS::Partition:s3:::flow-log-history/runs/run=*/manifest.json",
      },
      {
        functionId: "SweepWorkerFunction",
        action: "s3:PutObject",
        resource: "arn:AWS::Partition:s3:::flow-log-history/runs/run=*/account=*/region=*/outcomes.jsonl",
      },
    ]);
  });

  it("single-account with a report bucket: no sweep, so no S3 write at all", () => {
    expect(
      outputGrants({ SecurityHubFindings: "off", ReportBucket: "flow-log-history" }).filter(
        (g) => g.action === "s3:PutObject",
      ),
    ).toEqual([]);
  });

  it.each([
    ["off", []],
    ["on", ["securityhub:BatchImportFindings", "securityhub:GetFindings", "securityhub:BatchUpdateFindings"]],
  ])("member role: Security Hub grants exactly when SecurityHubFindings=%s", (setting, expected) => {
    // Prepare: the member template's own condition, decided for the parameter value.
    const template = member().template;
    expect(template.Conditions?.PublishesFindings).toEqual({
      "Fn::Equals": [{ Ref: "SecurityHubFindings" }, "on"],
    });
    const conditions = { PublishesFindings: setting === "on" };

    // Act
    const policies = decide(template.Resources?.FlowLogEnforcerMemberRole?.Properties?.Policies, conditions);
    const actions = [...JSON.stringify(policies).matchAll(/"Action":"(securityhub:\w+)"/g)].map((m) => m[1]);

    // Assess
    expect(actions).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The checkers fail on violations: minimal synthetic templates, shaped like the translator's output.

function roleWith(statements: unknown[], extra: Record<string, unknown> = {}) {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      },
      Policies: [{ PolicyName: "p", PolicyDocument: { Version: "2012-10-17", Statement: statements } }],
      ...extra,
    },
  };
}

function statementsOf(...statements: unknown[]) {
  return policyStatements({ Resources: { Role: roleWith(statements) } });
}

const fakeAuthorization: ServiceAuthorization = new Map([
  [
    "ec2",
    new Map<string, readonly string[]>([
      ["describevpcs", []],
      ["describeinstanceattribute", ["instance"]],
    ]),
  ],
  ["s3", new Map<string, readonly string[]>([["putobject", ["object"]]])],
]);

describe("template checks on violations", () => {
  it("reports Action '*', 'service:*' and NotAction, including inside Fn::If", () => {
    // Prepare
    const statements = statementsOf(
      { Effect: "Allow", Action: "*", Resource: "*" },
      { Effect: "Allow", Action: ["s3:GetObject", "s3:*"], Resource: "arn:aws:s3:::b/*" },
      { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
      { "Fn::If": ["C", { Effect: "Allow", Action: "sqs:*", Resource: "*" }, { Ref: "AWS::NoValue" }] },
      { Effect: "Deny", Action: "*", Resource: "*" },
    );

    // Act
    const violations = checkNoWildcardActions(statements);

    // Assess
    expect(violations).toHaveLength(4);
    expect(violations.join("\n")).toMatch(/"\*" grants a whole service/);
    expect(violations.join("\n")).toMatch(/"s3:\*"/);
    expect(violations.join("\n")).toMatch(/NotAction/);
    expect(violations.join("\n")).toMatch(/"sqs:\*"/);
  });

  it("reports a write on Resource '*' and a whole-service ARN, and an allowance AWS contradicts", () => {
    // Prepare
    const allowances: WildcardResourceAllowance[] = [
      { action: "ec2:Describe*", resourceLevel: "none", why: "" },
    ];
    const statements = statementsOf(
      { Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*" },
      { Effect: "Allow", Action: "s3:PutObject", Resource: "*" },
      {
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: { "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*" },
      },
      { Effect: "Allow", Action: "ec2:DescribeInstanceAttribute", Resource: ["arn:aws:s3:::b", "*"] },
      { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" },
      { Effect: "Allow", Action: "ec2:Describe*", Resource: "*" },
    );

    // Act
    const violations = checkWildcardResources(statements, allowances, fakeAuthorization);

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/Statement\[1\].*"s3:PutObject" on Resource "\*" is not in the allow-list/),
      expect.stringMatching(/Statement\[2\].*"sqs:SendMessage" on Resource "\*" is not in the allow-list/),
      expect.stringMatching(
        /Statement\[3\].*"ec2:DescribeInstanceAttribute".*AWS lists resource types instance/,
      ),
      expect.stringMatching(
        /Statement\[5\].*"ec2:describeinstanceattribute".*AWS lists resource types instance/,
      ),
    ]);
  });

  it("reports a resource-policy Allow to a service or to everyone without a binding condition, and NotPrincipal", () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Bucket: {
          Type: "AWS::S3::BucketPolicy",
          Properties: {
            PolicyDocument: {
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Service: "delivery.logs.amazonaws.com" },
                  Action: "s3:PutObject",
                },
                {
                  Effect: "Allow",
                  Principal: "*",
                  Action: "s3:GetObject",
                  Condition: { Bool: { "aws:SecureTransport": "true" } },
                },
                { Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::1:root" }, Action: "s3:GetObject" },
                {
                  Effect: "Allow",
                  Principal: { Service: "delivery.logs.amazonaws.com" },
                  Action: "s3:GetBucketAcl",
                  Condition: {
                    "Fn::If": [
                      "C",
                      { StringEquals: { "aws:SourceOrgID": "o-1" } },
                      { StringEquals: { "s3:x-amz-acl": "x" } },
                    ],
                  },
                },
                { Effect: "Deny", Principal: "*", Action: "s3:*" },
                { Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "s3:GetObject" },
              ],
            },
          },
        },
      },
    };

    // Act
    const violations = checkResourcePolicies(resourcePolicyStatements(template));

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/Statement\[0\].*a service principal without aws:SourceAccount/),
      expect.stringMatching(/Statement\[1\].*"\*" without/),
      expect.stringMatching(/Statement\[2\].*NotPrincipal/),
      expect.stringMatching(/Statement\[3\].*a service principal without/),
    ]);
  });

  it("reports iam:PassRole without iam:PassedToService, however the action is written", () => {
    // Prepare
    const statements = statementsOf(
      { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/r" },
      { Effect: "Allow", Action: "iam:Pass*", Resource: "arn:aws:iam::1:role/r" },
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: "arn:aws:iam::1:role/r",
        Condition: { StringLike: { "iam:PassedToService": "*" } },
      },
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: "arn:aws:iam::1:role/r",
        Condition: { StringNotEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
      },
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: "arn:aws:iam::1:role/r",
        Condition: { StringEquals: { "iam:PassedToService": "vpc-flow-logs.amazonaws.com" } },
      },
    );

    // Act
    const violations = checkPassRole(statements);

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/Statement\[0\]/),
      expect.stringMatching(/Statement\[1\]/),
      expect.stringMatching(/Statement\[2\]/),
      expect.stringMatching(/Statement\[3\]/),
    ]);
  });

  it("reports sts:AssumeRole on '*' or on every role, and accepts role ARNs", () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Target: roleWith([]),
        Role: roleWith([
          { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" },
          { Effect: "Allow", Action: "sts:Assume*", Resource: "arn:aws:iam::*:role/*" },
          {
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: [
              { "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}" },
              { "Fn::GetAtt": ["Target", "Arn"] },
            ],
          },
        ]),
      },
    };

    // Act
    const violations = checkAssumeRole(policyStatements(template), template);

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/Statement\[0\].*"\*"/),
      expect.stringMatching(/Statement\[1\].*role\/\*/),
    ]);
  });

  it("reports an AWS managed policy, whose statements it cannot see", () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Local: { Type: "AWS::IAM::ManagedPolicy", Properties: { PolicyDocument: { Statement: [] } } },
        Role: roleWith([], {
          ManagedPolicyArns: [
            { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
            { Ref: "Local" },
            { "Fn::GetAtt": ["Local", "PolicyArn"] },
          ],
        }),
      },
    };

    // Act
    const violations = checkManagedPolicies(template, new Map());

    // Assess
    expect(violations).toEqual([expect.stringMatching(/Role: .*service-role\/AWSLambdaBasicExecutionRole/)]);
  });

  it("holds the template's customer managed policies to the rules of inline policies", () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Shared: {
          Type: "AWS::IAM::ManagedPolicy",
          Properties: {
            PolicyDocument: {
              Statement: [
                { Effect: "Allow", Action: "ec2:*", Resource: "arn:aws:ec2:*:1:vpc/*" },
                { Effect: "Allow", Action: "s3:PutObject", Resource: "*" },
                { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/r" },
                { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" },
              ],
            },
          },
        },
      },
    };
    const statements = policyStatements(template);

    // Act
    const violations = [
      ...checkNoWildcardActions(statements),
      ...checkWildcardResources(statements, [], fakeAuthorization),
      ...checkPassRole(statements),
      ...checkAssumeRole(statements, template),
    ];

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/^Shared AWS::IAM::ManagedPolicy Statement\[0\]: action "ec2:\*"/),
      expect.stringMatching(
        /^Shared AWS::IAM::ManagedPolicy Statement\[1\]: "s3:PutObject" on Resource "\*"/,
      ),
      expect.stringMatching(
        /^Shared AWS::IAM::ManagedPolicy Statement\[3\]: "sts:AssumeRole" on Resource "\*"/,
      ),
      expect.stringMatching(/^Shared AWS::IAM::ManagedPolicy Statement\[2\]: iam:PassRole without/),
      expect.stringMatching(/^Shared AWS::IAM::ManagedPolicy Statement\[3\]: sts:AssumeRole on "\*"/),
    ]);
  });

  it("reports a permission defined in two places, however its actions are ordered or cased", () => {
    // Prepare
    const describe = ["ec2:DescribeVpcs", "ec2:DescribeSubnets"];
    const writeLogs = (group: string) => ({
      Effect: "Allow",
      Action: "logs:PutLogEvents",
      Resource: { "Fn::GetAtt": [group, "Arn"] },
    });
    const template: CfnTemplate = {
      Resources: {
        Shared: {
          Type: "AWS::IAM::ManagedPolicy",
          Properties: {
            PolicyDocument: { Statement: [{ Effect: "Allow", Action: describe, Resource: "*" }] },
          },
        },
        Copier: roleWith([
          { Effect: "Allow", Action: ["EC2:describesubnets", "ec2:DescribeVpcs"], Resource: "*" },
          writeLogs("CopierLogs"),
        ]),
        Other: roleWith([
          writeLogs("OtherLogs"),
          { Effect: "Deny", Action: describe, Resource: "*" },
          { Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*" },
        ]),
      },
    };

    // Act
    const violations = checkDuplicateStatements(policyStatements(template));

    // Assess: the same actions on other resources, a Deny and a subset are other permissions.
    expect(violations).toEqual([
      expect.stringMatching(
        /^Shared AWS::IAM::ManagedPolicy Statement\[0\] and Copier p Statement\[0\]: .* defined 2 times/,
      ),
    ]);
  });

  it("reports a function without a retained log group its role may write to", () => {
    // Prepare
    const writeLogs = (group: string) => ({
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: { "Fn::GetAtt": [group, "Arn"] },
    });
    const fn = (role: string, logGroup?: string) => ({
      Type: "AWS::Lambda::Function",
      Properties: {
        Role: { "Fn::GetAtt": [role, "Arn"] },
        ...(logGroup === undefined ? {} : { LoggingConfig: { LogGroup: { Ref: logGroup } } }),
      },
    });
    const template: CfnTemplate = {
      Resources: {
        Kept: { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 30 } },
        Forever: { Type: "AWS::Logs::LogGroup", Properties: {} },
        Named: {
          Type: "AWS::Logs::LogGroup",
          Properties: { LogGroupName: { "Fn::Sub": "/aws/lambda/${ByName}" }, RetentionInDays: 7 },
        },
        Writer: roleWith([writeLogs("Kept"), writeLogs("Forever"), writeLogs("Named")]),
        Mute: roleWith([]),
        Good: fn("Writer", "Kept"),
        ByName: fn("Writer"),
        NoGroup: fn("Writer"),
        NoRetention: fn("Writer", "Forever"),
        CannotWrite: fn("Mute", "Kept"),
      },
    };

    // Act
    const violations = checkFunctionLogs(template);

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/^NoGroup: logs to no AWS::Logs::LogGroup/),
      expect.stringMatching(/^NoRetention: .*Forever has no RetentionInDays/),
      expect.stringMatching(/^CannotWrite: .*logs:CreateLogStream/),
      expect.stringMatching(/^CannotWrite: .*logs:PutLogEvents/),
    ]);
  });

  it("reports missing or unwritable failure destinations, queues without redrive, targets without DLQ", () => {
    // Prepare
    const send = { Effect: "Allow", Action: "sqs:SendMessage", Resource: { "Fn::GetAtt": ["Dlq", "Arn"] } };
    const fn = (role: string) => ({
      Type: "AWS::Lambda::Function",
      Properties: { Role: { "Fn::GetAtt": [role, "Arn"] } },
    });
    const invokeConfig = (fnId: string) => ({
      Type: "AWS::Lambda::EventInvokeConfig",
      Properties: {
        FunctionName: { Ref: fnId },
        DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["Dlq", "Arn"] } } },
      },
    });
    const mapping = (fnId: string, queue: string) => ({
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: { FunctionName: { Ref: fnId }, EventSourceArn: { "Fn::GetAtt": [queue, "Arn"] } },
    });
    const template: CfnTemplate = {
      Resources: {
        Dlq: { Type: "AWS::SQS::Queue", Properties: {} },
        Redriven: {
          Type: "AWS::SQS::Queue",
          Properties: {
            RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": ["Dlq", "Arn"] }, maxReceiveCount: 3 },
          },
        },
        Plain: { Type: "AWS::SQS::Queue", Properties: {} },
        Sender: roleWith([send]),
        SendPolicy: {
          Type: "AWS::IAM::ManagedPolicy",
          Properties: { PolicyDocument: { Statement: [send] } },
        },
        AttachesSendPolicy: roleWith([], { ManagedPolicyArns: [{ Ref: "SendPolicy" }] }),
        Mute: roleWith([]),
        Good: fn("Sender"),
        GoodConfig: invokeConfig("Good"),
        SendsThroughManagedPolicy: fn("AttachesSendPolicy"),
        SendsThroughManagedPolicyConfig: invokeConfig("SendsThroughManagedPolicy"),
        NoConfig: fn("Sender"),
        CannotSend: fn("Mute"),
        CannotSendConfig: invokeConfig("CannotSend"),
        Worker: fn("Mute"),
        WorkerMapping: mapping("Worker", "Redriven"),
        Lossy: fn("Mute"),
        LossyMapping: mapping("Lossy", "Plain"),
        Undocumented: fn("Mute"),
        Rule: {
          Type: "AWS::Events::Rule",
          Properties: {
            Targets: [
              { Id: "a", Arn: { "Fn::GetAtt": ["Good", "Arn"] } },
              {
                Id: "b",
                Arn: { "Fn::GetAtt": ["Good", "Arn"] },
                DeadLetterConfig: { Arn: { "Fn::GetAtt": ["Dlq", "Arn"] } },
              },
            ],
          },
        },
        Schedule: {
          Type: "AWS::Scheduler::Schedule",
          Properties: {
            Target: { Arn: { "Fn::GetAtt": ["Good", "Arn"] }, RoleArn: "arn:aws:iam::1:role/s" },
          },
        },
      },
    };
    const expect_ = (path: FailureExpectation["path"]): FailureExpectation => ({ path, why: "" });

    // Act
    const violations = checkFailureHandling(template, {
      Good: expect_("on-failure-destination"),
      SendsThroughManagedPolicy: expect_("on-failure-destination"),
      NoConfig: expect_("on-failure-destination"),
      CannotSend: expect_("on-failure-destination"),
      Worker: expect_("sqs-redrive"),
      Lossy: expect_("sqs-redrive"),
      Gone: expect_("sqs-redrive"),
    });

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/^Gone: .*not a function/),
      expect.stringMatching(/^NoConfig: no AWS::Lambda::EventInvokeConfig/),
      expect.stringMatching(/^CannotSend: its role is not granted sqs:SendMessage on .* Dlq/),
      expect.stringMatching(/^Plain: feeds Lossy but has no RedrivePolicy/),
      expect.stringMatching(/^Undocumented: no failure expectation/),
      expect.stringMatching(/^Rule: target Good has no DeadLetterConfig/),
      expect.stringMatching(/^Schedule: target Good has no DeadLetterConfig/),
    ]);
  });

  it("reports a service role without a source condition, an unrestricted Lambda permission and an open bus", () => {
    // Prepare
    const trust = (service: string, condition?: unknown) => ({
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: service },
              Action: "sts:AssumeRole",
              Condition: condition,
            },
          ],
        },
      },
    });
    const template: CfnTemplate = {
      Resources: {
        Open: trust("scheduler.amazonaws.com"),
        Negated: trust("events.amazonaws.com", { StringNotEquals: { "aws:SourceAccount": "1" } }),
        Guarded: trust("ssm.amazonaws.com", {
          ArnLike: { "aws:SourceArn": "arn:aws:ssm:*:1:automation-execution/*" },
        }),
        Lambda: trust("lambda.amazonaws.com"),
        AnyConfig: { Type: "AWS::Lambda::Permission", Properties: { Principal: "config.amazonaws.com" } },
        OwnConfig: {
          Type: "AWS::Lambda::Permission",
          Properties: { Principal: "config.amazonaws.com", SourceAccount: "1" },
        },
        Bus: {
          Type: "AWS::Events::EventBusPolicy",
          Properties: {
            Statement: {
              Effect: "Allow",
              Principal: "*",
              Action: "events:PutEvents",
              Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } },
            },
          },
        },
      },
    };

    // Act
    const violations = [
      ...checkServiceTrust(template, ["lambda.amazonaws.com"]),
      ...checkLambdaPermissionSources(template, new Map([["OwnConfig", "stale"]])),
      ...checkEventBusPolicies(template),
    ];

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/^Open: scheduler.amazonaws.com may assume it without/),
      expect.stringMatching(/^Negated: events.amazonaws.com may assume it without/),
      expect.stringMatching(/^AnyConfig: config.amazonaws.com may invoke it from any account/),
      "OwnConfig: restricted now; drop its allowance",
      "Bus: PutEvents from any principal without a events:source condition",
      "Bus: PutEvents from any principal without a events:detail-type condition",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Organizations: the boundary describes one account at a time, within the organization; only the coordinator lists.

describe("organization permissions after SAM's transform", { timeout: 60_000 }, () => {
  const central = lazyTransform("template.yaml");
  const organizationGrants = (parameters: ParameterValues) => {
    const template = central().template;
    return functionGrants(template, evaluateConditions(template, parameters), parameters)
      .filter((grant) => /^organizations:(DescribeAccount|ListAccounts)$/.test(grant.action))
      .map(({ functionId, action, resource }) => ({ functionId, action, resource }))
      .sort((a, b) => `${a.action} ${a.functionId}`.localeCompare(`${b.action} ${b.functionId}`));
  };

  it("organization-wide: DescribeAccount to the engine functions on the organization's accounts; ListAccounts to the coordinator only", () => {
    // Act
    const grants = organizationGrants(ORGANIZATION);

    // Assess
    expect(grants).toEqual([
      ...ENGINE_FUNCTIONS.map((functionId) => ({
        functionId,
        action: "organizations:DescribeAccount",
        resource: `arn:AWS::Partition:organizations::*:account/${ORGANIZATION.OrganizationId}/*`,
      })),
      { functionId: "OrgSweepFunction", action: "organizations:ListAccounts", resource: "*" },
    ]);
  });

  it("single-account: no function may describe or list the organization's accounts", () => {
    expect(organizationGrants({})).toEqual([]);
  });
});
