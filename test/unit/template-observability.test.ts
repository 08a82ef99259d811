// The deployed dashboard and alarms (templates/observability.yaml, a nested stack of template.yaml after SAM's
// transform, rendered with the values template.yaml passes it) read the metrics the code emits, with the exact EMF
// dimension sets, cover every function and dead-letter queue, and notify the optional topic only.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OUTCOMES } from "../../src/engine/enforce.js";
import { FLOW_LOGS_CREATED_METRIC, SERVICE_NAME, type Trigger } from "../../src/observability.js";
import { REJECTED_EVENTS_METRIC } from "../../src/use-cases/enforce-event-batch.js";
import { EMPTY_SWEEP_METRIC } from "../../src/use-cases/start-org-sweep.js";
import { REJECTED_MESSAGES_METRIC } from "../../src/use-cases/sweep-account-region.js";
import { lazyTransform } from "../support/sam-transform.js";
import {
  alarmMetrics,
  type CfnTemplate,
  type ConditionValues,
  checkDeadLetterAlarms,
  checkEmittedMetrics,
  checkNestedStackParameters,
  dashboardMetrics,
  deadLetterQueues,
  type EmittedMetric,
  evaluateConditions,
  type MetricRef,
  nestedStackParameters,
  nestedStacks,
  type ParameterValues,
  renderText,
  resourcesUnder,
} from "../support/template-checks.js";

const NAMESPACE = "VpcFlowLogEnforcer";
/** The triggers a deployed function reports under; the CLI emits no metrics (src/cli/main.ts). */
const LAMBDA_TRIGGERS = [
  "eventbridge",
  "config-rule",
  "config-remediation",
  "sweep",
] as const satisfies Trigger[];

/**
 * What the code emits (src/observability.ts publishReport, src/use-cases/sweep-account-region.ts and
 * start-org-sweep.ts), Powertools adding the `service` default dimension to every EMF document.
 */
const EMITTED: readonly EmittedMetric[] = [
  ...OUTCOMES.map((outcome) => ({
    metricName: outcome,
    dimensions: { service: [SERVICE_NAME], trigger: LAMBDA_TRIGGERS },
  })),
  // Flow logs written, beside the per-resource outcome counts (publishReport).
  { metricName: FLOW_LOGS_CREATED_METRIC, dimensions: { service: [SERVICE_NAME], trigger: LAMBDA_TRIGGERS } },
  { metricName: "AccountRegionsEnqueued", dimensions: { service: [SERVICE_NAME] } },
  { metricName: EMPTY_SWEEP_METRIC, dimensions: { service: [SERVICE_NAME] } },
  // Under the trigger dimension when the account-region's report had outcomes, without it when it was empty.
  { metricName: "AccountRegionsSwept", dimensions: { service: [SERVICE_NAME], trigger: ["sweep"] } },
  { metricName: "AccountRegionsSwept", dimensions: { service: [SERVICE_NAME] } },
  { metricName: "AccountRegionsFailed", dimensions: { service: [SERVICE_NAME], trigger: ["sweep"] } },
  // Dropped input (src/use-cases/enforce-event-batch.ts, sweep-account-region.ts): under the trigger dimension when
  // the invocation also published outcomes, without it otherwise.
  { metricName: REJECTED_EVENTS_METRIC, dimensions: { service: [SERVICE_NAME], trigger: ["eventbridge"] } },
  { metricName: REJECTED_EVENTS_METRIC, dimensions: { service: [SERVICE_NAME] } },
  { metricName: REJECTED_MESSAGES_METRIC, dimensions: { service: [SERVICE_NAME], trigger: ["sweep"] } },
  { metricName: REJECTED_MESSAGES_METRIC, dimensions: { service: [SERVICE_NAME] } },
  // src/use-cases/publish-outputs.ts, after publishReport added the trigger.
  { metricName: "ReportOutputFailures", dimensions: { service: [SERVICE_NAME], trigger: LAMBDA_TRIGGERS } },
  // src/observability.ts publishCoverage, one EMF document per swept account-region.
  ...["CoveragePercent", "CoveredResources", "InScopeResources"].map((metricName) => ({
    metricName,
    dimensions: { service: [SERVICE_NAME], accountId: ["*"] },
  })),
];

const OBSERVABILITY_TEMPLATE = "templates/observability.yaml";

/** template.yaml's parameters that decide what exists; the rest keep their defaults. */
const DEPLOYMENTS: ReadonlyArray<[string, ParameterValues]> = [
  ["single-account", { OrganizationId: "", OrganizationWideConfigRule: "false", AlarmTopicArn: "" }],
  [
    "organization-wide",
    {
      OrganizationId: "o-exampleorg01",
      OrganizationWideConfigRule: "true",
      AlarmTopicArn: "arn:aws:sns:us-east-1:123456789012:enforcer-alarms",
    },
  ],
];

function has(
  metrics: readonly MetricRef[],
  namespace: string,
  name: string,
  dimensions: Record<string, string>,
) {
  return metrics.some(
    (m) =>
      m.namespace === namespace &&
      m.metricName === name &&
      JSON.stringify(Object.entries(m.dimensions).sort()) ===
        JSON.stringify(Object.entries(dimensions).sort()),
  );
}

/** One deployment: template.yaml's conditions, and what the observability stack receives and decides from it. */
interface Deployed {
  readonly central: ConditionValues;
  readonly conditions: ConditionValues;
  readonly parameters: ParameterValues;
}

// The translator runs once per template, on first use; a failure fails every test with its message.
describe("dashboard and alarms of template.yaml", () => {
  const transformedCentral = lazyTransform("template.yaml");
  const transformedObservability = lazyTransform(OBSERVABILITY_TEMPLATE);
  const central = (): CfnTemplate => transformedCentral().template;
  const observability = (): CfnTemplate => transformedObservability().template;

  function observabilityStack() {
    const stacks = nestedStacks(central()).filter(
      ([, r]) => r.Properties?.TemplateURL === OBSERVABILITY_TEMPLATE,
    );
    expect(stacks).toHaveLength(1);
    const [, stack] = stacks[0] ?? [];
    if (stack === undefined) throw new Error(`template.yaml deploys no ${OBSERVABILITY_TEMPLATE}`);
    return stack;
  }

  function deployed(parameters: ParameterValues): Deployed {
    const conditions = evaluateConditions(central(), parameters);
    const passed = nestedStackParameters(central(), observabilityStack(), conditions, parameters);
    return {
      central: conditions,
      conditions: evaluateConditions(observability(), passed),
      parameters: passed,
    };
  }

  function dashboardUnder(deployment: Deployed) {
    const dashboards = resourcesUnder(observability(), deployment.conditions).filter(
      ([, r]) => r.Type === "AWS::CloudWatch::Dashboard",
    );
    expect(dashboards).toHaveLength(1);
    const [, dashboard] = dashboards[0] ?? [];
    const body = renderText(
      observability(),
      dashboard?.Properties?.DashboardBody,
      deployment.conditions,
      deployment.parameters,
    );
    return dashboardMetrics(JSON.parse(body));
  }

  function alarmsUnder(deployment: Deployed) {
    return alarmMetrics(observability(), deployment.conditions, deployment.parameters);
  }

  function existingFunctions(deployment: Deployed): string[] {
    return resourcesUnder(central(), deployment.central)
      .filter(([, r]) => r.Type === "AWS::Lambda::Function")
      .map(([id]) => id);
  }

  it("deploys the dashboard and alarms from templates/observability.yaml, passing every parameter it needs", () => {
    // Prepare
    const written = transformedCentral().source.Resources?.Observability;

    // Act
    const stack = observabilityStack();

    // Assess: a local Location as written (sam package uploads it), which the translator keeps as the TemplateURL.
    expect(written).toMatchObject({
      Type: "AWS::Serverless::Application",
      Properties: { Location: OBSERVABILITY_TEMPLATE },
    });
    expect(existsSync(OBSERVABILITY_TEMPLATE)).toBe(true);
    expect(stack.Condition).toBeUndefined();
    expect(checkNestedStackParameters(stack, observability())).toEqual([]);
    expect(
      Object.values(central().Resources ?? {}).filter((r) => r.Type.startsWith("AWS::CloudWatch::")),
    ).toEqual([]);
  });

  it.each(DEPLOYMENTS)(
    "%s: the nested stack's sweep parts exist exactly when the sweep does",
    (_, parameters) => {
      // Act
      const deployment = deployed(parameters);

      // Assess
      expect(deployment.conditions.OrganizationWide).toBe(deployment.central.OrganizationWide);
      expect(deployment.conditions.HasAlarmTopic).toBe(parameters.AlarmTopicArn !== "");
    },
  );

  it.each(DEPLOYMENTS)(
    "%s: graphs and alarms read exactly the metrics and dimension sets emitted",
    (_, parameters) => {
      // Prepare
      const deployment = deployed(parameters);

      // Act
      const dashboard = dashboardUnder(deployment);
      const alarms = alarmsUnder(deployment);

      // Assess
      expect(dashboard.violations).toEqual([]);
      expect(alarms.violations).toEqual([]);
      expect(checkEmittedMetrics([...dashboard.metrics, ...alarms.metrics], NAMESPACE, EMITTED)).toEqual([]);
    },
  );

  it.each(DEPLOYMENTS)("%s: graphs every outcome kind of every trigger deployed", (_, parameters) => {
    // Prepare
    const deployment = deployed(parameters);
    const triggers = LAMBDA_TRIGGERS.filter((t) => t !== "sweep" || deployment.central.OrganizationWide);

    // Act
    const { metrics } = dashboardUnder(deployment);

    // Assess
    for (const trigger of triggers)
      for (const outcome of OUTCOMES)
        expect(
          has(metrics, NAMESPACE, outcome, { service: SERVICE_NAME, trigger }),
          `${outcome}/${trigger}`,
        ).toBe(true);
  });

  it.each(DEPLOYMENTS)(
    "%s: graphs the flow logs written, apart from the resources they cover",
    (_, parameters) => {
      // Prepare
      const deployment = deployed(parameters);

      // Act
      const { metrics } = dashboardUnder(deployment);

      // Assess: every trigger that writes (the Config rule evaluator never does).
      for (const trigger of ["eventbridge", "config-remediation", "sweep"])
        expect(
          has(metrics, NAMESPACE, FLOW_LOGS_CREATED_METRIC, { service: SERVICE_NAME, trigger }),
          trigger,
        ).toBe(true);
    },
  );

  it.each([
    [REJECTED_EVENTS_METRIC, "eventbridge"],
    [REJECTED_MESSAGES_METRIC, "sweep"],
  ])("alarms on dropped input (%s), under both dimension sets it is counted under", (metric, trigger) => {
    // Prepare
    const deployment = deployed(DEPLOYMENTS[1]?.[1] ?? {});

    // Act
    const { metrics } = alarmsUnder(deployment);

    // Assess
    expect(has(metrics, NAMESPACE, metric, { service: SERVICE_NAME })).toBe(true);
    expect(has(metrics, NAMESPACE, metric, { service: SERVICE_NAME, trigger })).toBe(true);
  });

  it("alarms, organization-wide, on an org sweep that found no account to sweep", () => {
    // Prepare
    const deployment = deployed(DEPLOYMENTS[1]?.[1] ?? {});

    // Act
    const { metrics } = alarmsUnder(deployment);

    // Assess
    expect(has(metrics, NAMESPACE, EMPTY_SWEEP_METRIC, { service: SERVICE_NAME })).toBe(true);
  });

  it.each(DEPLOYMENTS)(
    "%s: graphs invocations, errors, throttles and duration of every function",
    (_, parameters) => {
      // Prepare
      const deployment = deployed(parameters);

      // Act
      const { metrics } = dashboardUnder(deployment);
      const functions = existingFunctions(deployment);

      // Assess
      expect(functions.length).toBeGreaterThanOrEqual(3);
      for (const id of functions)
        for (const name of ["Invocations", "Errors", "Throttles", "Duration"])
          expect(has(metrics, "AWS/Lambda", name, { FunctionName: `ref:${id}` }), `${id} ${name}`).toBe(true);
    },
  );

  it.each(DEPLOYMENTS)("%s: graphs the depth of every dead-letter queue", (_, parameters) => {
    // Prepare
    const deployment = deployed(parameters);

    // Act
    const { metrics } = dashboardUnder(deployment);
    const existing = new Set(resourcesUnder(central(), deployment.central).map(([id]) => id));
    const queues = deadLetterQueues(central()).filter((id) => existing.has(id));

    // Assess
    expect(queues).toContain("EnforcerDeadLetterQueue");
    for (const queue of queues)
      expect(
        has(metrics, "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: `${queue}.QueueName` }),
        queue,
      ).toBe(true);
  });

  it.each(DEPLOYMENTS)(
    "%s: alarms when events wait in EventQueue far beyond its grace period",
    (_, parameters) => {
      // Prepare
      const deployment = deployed(parameters);

      // Act
      const { metrics } = alarmsUnder(deployment);

      // Assess
      expect(
        has(metrics, "AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: "EventQueue.QueueName" }),
      ).toBe(true);
    },
  );

  it.each(DEPLOYMENTS)("%s: alarms on messages in every dead-letter queue deployed", (_, parameters) => {
    // Prepare
    const deployment = deployed(parameters);
    const existing = new Set(resourcesUnder(central(), deployment.central).map(([id]) => id));

    // Act
    const queues = deadLetterQueues(central()).filter((id) => existing.has(id));

    // Assess
    expect(deadLetterQueues(central())).toEqual(["EnforcerDeadLetterQueue", "SweepDeadLetterQueue"]);
    expect(
      checkDeadLetterAlarms(
        observability(),
        deployment.conditions,
        deployment.parameters,
        queues.map((id) => `${id}.QueueName`),
      ),
    ).toEqual([]);
  });

  it.each(DEPLOYMENTS)(
    "%s: alarms on failed, delivery-failing and unapproved outcomes of every trigger and on every function's errors",
    (_, parameters) => {
      // Prepare
      const deployment = deployed(parameters);

      // Act
      const { metrics } = alarmsUnder(deployment);

      // Assess
      for (const trigger of LAMBDA_TRIGGERS)
        for (const outcome of ["failed", "delivery-failing", "unapproved"])
          expect(
            has(metrics, NAMESPACE, outcome, { service: SERVICE_NAME, trigger }),
            `${outcome}/${trigger}`,
          ).toBe(true);
      for (const id of existingFunctions(deployment))
        expect(has(metrics, "AWS/Lambda", "Errors", { FunctionName: `ref:${id}` }), id).toBe(true);
    },
  );

  it.each(DEPLOYMENTS)(
    "%s: graphs the sweep's coverage per account and for the organization, next to the sweep's outcomes",
    (_, parameters) => {
      // Prepare
      const deployment = deployed(parameters);

      // Act
      const { metrics } = dashboardUnder(deployment);
      const coverage = metrics.filter((m) => m.namespace === NAMESPACE && "accountId" in m.dimensions);

      // Assess: only an organization-wide stack sweeps, so only it graphs coverage.
      const wanted = deployment.central.OrganizationWide
        ? ["CoveragePercent", "CoveredResources", "InScopeResources"]
        : [];
      expect([...new Set(coverage.map((m) => m.metricName))].sort()).toEqual(wanted);
      for (const metric of coverage) expect(metric.dimensions).toEqual({ accountId: "*", service: "*" });
    },
  );

  it.each(DEPLOYMENTS)("%s: alarms when findings or notifications cannot be published", (_, parameters) => {
    // Act
    const { metrics } = alarmsUnder(deployed(parameters));

    // Assess
    for (const trigger of LAMBDA_TRIGGERS)
      expect(
        has(metrics, NAMESPACE, "ReportOutputFailures", { service: SERVICE_NAME, trigger }),
        trigger,
      ).toBe(true);
  });

  it("notifies the optional SNS topic parameter, and nothing when it is empty", () => {
    // Act
    const alarms = Object.entries(observability().Resources ?? {}).filter(
      ([, r]) => r.Type === "AWS::CloudWatch::Alarm",
    );
    const notify = { "Fn::If": ["HasAlarmTopic", [{ Ref: "AlarmTopicArn" }], { Ref: "AWS::NoValue" }] };

    // Assess
    expect(central().Parameters?.AlarmTopicArn).toMatchObject({ Type: "String", Default: "" });
    expect(observabilityStack().Properties?.Parameters).toMatchObject({
      AlarmTopicArn: { Ref: "AlarmTopicArn" },
    });
    expect(observability().Conditions?.HasAlarmTopic).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "AlarmTopicArn" }, ""] }],
    });
    expect(alarms.length).toBeGreaterThanOrEqual(8);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties?.AlarmActions, id).toEqual(notify);
      expect(alarm.Properties?.OKActions, id).toEqual(notify);
    }
  });
});

describe("dashboard and alarm checks on violations", () => {
  it("reports a metric read under a dimension set the code never emits", () => {
    // Prepare
    const metrics: MetricRef[] = [
      { where: "a", namespace: NAMESPACE, metricName: "failed", dimensions: { service: SERVICE_NAME } },
      { where: "b", namespace: NAMESPACE, metricName: "failed", dimensions: { trigger: "eventbridge" } },
      {
        where: "c",
        namespace: NAMESPACE,
        metricName: "failed",
        dimensions: { service: SERVICE_NAME, trigger: "cli" },
      },
      {
        where: "d",
        namespace: NAMESPACE,
        metricName: "Failed",
        dimensions: { service: SERVICE_NAME, trigger: "sweep" },
      },
      {
        where: "e",
        namespace: NAMESPACE,
        metricName: "failed",
        dimensions: { service: SERVICE_NAME, trigger: "sweep" },
      },
      { where: "f", namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "x" } },
    ];

    // Act
    const violations = checkEmittedMetrics(metrics, NAMESPACE, EMITTED);

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/^a: /),
      expect.stringMatching(/^b: /),
      expect.stringMatching(/^c: /),
      expect.stringMatching(/^d: /),
    ]);
  });

  it("reads '.' shorthand rows and reports expressions using undefined ids", () => {
    // Prepare
    const body = {
      widgets: [
        {
          type: "metric",
          properties: {
            title: "t",
            metrics: [
              [NAMESPACE, "failed", "service", SERVICE_NAME, "trigger", "sweep", { id: "a" }],
              [".", "created", ".", ".", ".", "."],
              [{ expression: "FILL(a, 0) + FILL(b, 0)", id: "e" }],
            ],
          },
        },
      ],
    };

    // Act
    const { metrics, violations } = dashboardMetrics(body);

    // Assess
    expect(metrics.map((m) => [m.metricName, m.dimensions])).toEqual([
      ["failed", { service: SERVICE_NAME, trigger: "sweep" }],
      ["created", { service: SERVICE_NAME, trigger: "sweep" }],
    ]);
    expect(violations).toEqual([expect.stringMatching(/undefined id b/)]);
  });

  it("reads SEARCH expressions as metrics of any dimension value, and names no ids from their query", () => {
    // Prepare
    const search = (name: string, schema: string) =>
      `SEARCH('{${NAMESPACE},${schema}} MetricName="${name}"', 'Sum', 86400)`;
    const body = {
      widgets: [
        {
          type: "metric",
          properties: {
            title: "t",
            metrics: [
              [{ expression: search("CoveredResources", "accountId,service"), id: "covered" }],
              [{ expression: search("CoveragePercnt", "accountId,service"), id: "typo" }],
              [{ expression: search("CoveragePercent", "service"), id: "wrongSet" }],
            ],
          },
        },
      ],
    };

    // Act
    const { metrics, violations } = dashboardMetrics(body);

    // Assess
    expect(violations).toEqual([]);
    expect(metrics.map((m) => m.dimensions)).toEqual([
      { accountId: "*", service: "*" },
      { accountId: "*", service: "*" },
      { service: "*" },
    ]);
    expect(checkEmittedMetrics(metrics, NAMESPACE, EMITTED)).toEqual([
      expect.stringMatching(/CoveragePercnt/),
      expect.stringMatching(/CoveragePercent \{"service":"\*"\}/),
    ]);
  });

  it("refuses a dashboard naming a resource its condition leaves out", () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: { Worker: { Type: "AWS::Lambda::Function", Condition: "OrganizationWide" } },
    };

    // Act
    const render = () => renderText(template, { "Fn::Sub": "${Worker}" }, { OrganizationWide: false });

    // Assess
    expect(render).toThrow(/Worker, which does not exist/);
    expect(renderText(template, { "Fn::Sub": "${Worker}" }, { OrganizationWide: true })).toBe("ref:Worker");
  });

  it("reports a dead-letter queue without a depth alarm, and a depth alarm whose queue is not deployed", () => {
    // Prepare: the queues in the parent, their alarms in a nested stack that receives the queue names.
    const parent: CfnTemplate = {
      Resources: {
        Watched: { Type: "AWS::SQS::Queue" },
        Unwatched: { Type: "AWS::SQS::Queue" },
        Quiet: { Type: "AWS::SQS::Queue" },
        OrgOnly: { Type: "AWS::SQS::Queue", Condition: "OrganizationWide" },
        Source: {
          Type: "AWS::SQS::Queue",
          Properties: { RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": ["OrgOnly", "Arn"] } } },
        },
        Rule: {
          Type: "AWS::Events::Rule",
          Properties: {
            Targets: ["Watched", "Unwatched", "Quiet"].map((queue) => ({
              Arn: "x",
              DeadLetterConfig: { Arn: { "Fn::GetAtt": [queue, "Arn"] } },
            })),
          },
        },
      },
    };
    const dlqAlarm = (parameter: string, threshold = 0) => ({
      Type: "AWS::CloudWatch::Alarm",
      Properties: {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { Ref: parameter } }],
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: threshold,
      },
    });
    const nested: CfnTemplate = {
      Parameters: { WatchedName: {}, QuietName: {}, OrgOnlyName: {} },
      Resources: {
        WatchedAlarm: dlqAlarm("WatchedName"),
        QuietAlarm: dlqAlarm("QuietName", 5),
        // Missing `Condition: OrganizationWide`: it would watch an empty queue name in a single-account stack.
        OrgOnlyAlarm: dlqAlarm("OrgOnlyName"),
      },
    };
    const singleAccount = { OrganizationWide: false };
    const existing = new Set(resourcesUnder(parent, singleAccount).map(([id]) => id));

    // Act
    const queues = deadLetterQueues(parent).filter((id) => existing.has(id));
    const violations = checkDeadLetterAlarms(
      nested,
      {},
      { WatchedName: "Watched.QueueName", QuietName: "Quiet.QueueName", OrgOnlyName: "" },
      queues.map((id) => `${id}.QueueName`),
    );

    // Assess
    expect(deadLetterQueues(parent)).toEqual(["OrgOnly", "Quiet", "Unwatched", "Watched"]);
    expect(violations).toEqual([
      expect.stringMatching(/^QuietAlarm: must fire on more than 0 messages in Quiet\.QueueName/),
      expect.stringMatching(/^Unwatched\.QueueName: dead-letter queue without/),
      expect.stringMatching(/^OrgOnlyAlarm: watches queue "", which is no dead-letter queue deployed here/),
    ]);
  });

  it("renders a nested stack's parameters from its parent, decides its conditions from them, and reports wiring gaps", () => {
    // Prepare
    const parent: CfnTemplate = {
      Parameters: { OrganizationId: { Type: "String", Default: "" } },
      Conditions: { OrganizationWide: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "OrganizationId" }, ""] }] } },
      Resources: {
        Worker: { Type: "AWS::Lambda::Function", Condition: "OrganizationWide" },
        Child: {
          Type: "AWS::CloudFormation::Stack",
          Properties: {
            TemplateURL: "child.yaml",
            Parameters: {
              OrganizationWide: { "Fn::If": ["OrganizationWide", "true", "false"] },
              WorkerName: { "Fn::If": ["OrganizationWide", { Ref: "Worker" }, ""] },
              Extra: "x",
            },
          },
        },
      },
    };
    const child: CfnTemplate = {
      Parameters: {
        OrganizationWide: { Type: "String" },
        WorkerName: { Type: "String" },
        TopicArn: { Type: "String" },
        Optional: { Type: "String", Default: "" },
      },
      Conditions: {
        OrganizationWide: { "Fn::Equals": [{ Ref: "OrganizationWide" }, "true"] },
        HasWorker: {
          "Fn::And": [
            { Condition: "OrganizationWide" },
            { "Fn::Not": [{ "Fn::Equals": [{ Ref: "WorkerName" }, ""] }] },
          ],
        },
      },
    };
    const [[, stack] = ["", undefined]] = nestedStacks(parent);
    if (stack === undefined) throw new Error("the parent has no nested stack");
    const deploy = (parameters: ParameterValues) => {
      const conditions = evaluateConditions(parent, parameters);
      const passed = nestedStackParameters(parent, stack, conditions, parameters);
      return { passed, conditions: evaluateConditions(child, passed) };
    };

    // Act
    const single = deploy({});
    const organization = deploy({ OrganizationId: "o-exampleorg01" });

    // Assess
    expect(single).toEqual({
      passed: { OrganizationWide: "false", WorkerName: "", Extra: "x" },
      conditions: { OrganizationWide: false, HasWorker: false },
    });
    expect(organization).toEqual({
      passed: { OrganizationWide: "true", WorkerName: "ref:Worker", Extra: "x" },
      conditions: { OrganizationWide: true, HasWorker: true },
    });
    expect(checkNestedStackParameters(stack, child)).toEqual([
      expect.stringMatching(/^TopicArn: declared without a default, but not passed/),
      expect.stringMatching(/^Extra: passed, but the nested template does not declare it/),
    ]);
    expect(() => evaluateConditions(child, {})).toThrow(/no value given for parameter OrganizationWide/);
  });
});
