// The deployed dashboard and alarms (template.yaml after SAM's transform) read the metrics the code emits, with the
// exact EMF dimension sets, cover every function and dead-letter queue, and notify the optional topic only.
import { describe, expect, it } from "vitest";
import { OUTCOMES } from "../../src/engine/enforce.js";
import { SERVICE_NAME, type Trigger } from "../../src/observability.js";
import { lazyTransform } from "../support/sam-transform.js";
import {
  alarmMetrics,
  type CfnTemplate,
  type ConditionValues,
  checkDeadLetterAlarms,
  checkEmittedMetrics,
  dashboardMetrics,
  deadLetterQueues,
  type EmittedMetric,
  type MetricRef,
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
  { metricName: "AccountRegionsEnqueued", dimensions: { service: [SERVICE_NAME] } },
  // Under the trigger dimension when the account-region's report had outcomes, without it when it was empty.
  { metricName: "AccountRegionsSwept", dimensions: { service: [SERVICE_NAME], trigger: ["sweep"] } },
  { metricName: "AccountRegionsSwept", dimensions: { service: [SERVICE_NAME] } },
  { metricName: "AccountRegionsFailed", dimensions: { service: [SERVICE_NAME], trigger: ["sweep"] } },
];

const DEPLOYMENTS: ReadonlyArray<[string, ConditionValues]> = [
  ["single-account", { OrganizationWide: false, DeployOrganizationConfigRule: false, HasAlarmTopic: false }],
  ["organization-wide", { OrganizationWide: true, DeployOrganizationConfigRule: true, HasAlarmTopic: true }],
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

// The translator runs once, on first use; a failure fails every test with its message.
describe("dashboard and alarms of template.yaml", { timeout: 60_000 }, () => {
  const transformed = lazyTransform("template.yaml");
  const central = (): CfnTemplate => transformed().template;

  function dashboardUnder(conditions: ConditionValues) {
    const dashboards = resourcesUnder(central(), conditions).filter(
      ([, r]) => r.Type === "AWS::CloudWatch::Dashboard",
    );
    expect(dashboards).toHaveLength(1);
    const [, dashboard] = dashboards[0] ?? [];
    const body = renderText(central(), dashboard?.Properties?.DashboardBody, conditions);
    return dashboardMetrics(JSON.parse(body));
  }

  it.each(DEPLOYMENTS)(
    "%s: graphs and alarms read exactly the metrics and dimension sets emitted",
    (_, conditions) => {
      // Act
      const dashboard = dashboardUnder(conditions);
      const alarms = alarmMetrics(central(), conditions);

      // Assess
      expect(dashboard.violations).toEqual([]);
      expect(alarms.violations).toEqual([]);
      expect(checkEmittedMetrics([...dashboard.metrics, ...alarms.metrics], NAMESPACE, EMITTED)).toEqual([]);
    },
  );

  it.each(DEPLOYMENTS)("%s: graphs every outcome kind of every trigger deployed", (_, conditions) => {
    // Prepare
    const triggers = LAMBDA_TRIGGERS.filter((t) => t !== "sweep" || conditions.OrganizationWide);

    // Act
    const { metrics } = dashboardUnder(conditions);

    // Assess
    for (const trigger of triggers)
      for (const outcome of OUTCOMES)
        expect(
          has(metrics, NAMESPACE, outcome, { service: SERVICE_NAME, trigger }),
          `${outcome}/${trigger}`,
        ).toBe(true);
  });

  it.each(DEPLOYMENTS)(
    "%s: graphs invocations, errors, throttles and duration of every function",
    (_, conditions) => {
      // Act
      const { metrics } = dashboardUnder(conditions);
      const functions = resourcesUnder(central(), conditions).filter(
        ([, r]) => r.Type === "AWS::Lambda::Function",
      );

      // Assess
      expect(functions.length).toBeGreaterThanOrEqual(3);
      for (const [id] of functions)
        for (const name of ["Invocations", "Errors", "Throttles", "Duration"])
          expect(has(metrics, "AWS/Lambda", name, { FunctionName: `ref:${id}` }), `${id} ${name}`).toBe(true);
    },
  );

  it.each(DEPLOYMENTS)("%s: graphs the depth of every dead-letter queue", (_, conditions) => {
    // Act
    const { metrics } = dashboardUnder(conditions);
    const existing = new Set(resourcesUnder(central(), conditions).map(([id]) => id));
    const queues = deadLetterQueues(central()).filter((id) => existing.has(id));

    // Assess
    expect(queues).toContain("EnforcerDeadLetterQueue");
    for (const queue of queues)
      expect(
        has(metrics, "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: `${queue}.QueueName` }),
        queue,
      ).toBe(true);
  });

  it("alarms on messages in every dead-letter queue", () => {
    expect(deadLetterQueues(central())).toEqual(["EnforcerDeadLetterQueue", "SweepDeadLetterQueue"]);
    expect(checkDeadLetterAlarms(central())).toEqual([]);
  });

  it.each(DEPLOYMENTS)(
    "%s: alarms on failed outcomes of every trigger and on every function's errors",
    (_, c) => {
      // Act
      const { metrics } = alarmMetrics(central(), c);
      const functions = resourcesUnder(central(), c).filter(([, r]) => r.Type === "AWS::Lambda::Function");

      // Assess
      for (const trigger of LAMBDA_TRIGGERS)
        for (const outcome of ["failed", "delivery-failing"])
          expect(
            has(metrics, NAMESPACE, outcome, { service: SERVICE_NAME, trigger }),
            `${outcome}/${trigger}`,
          ).toBe(true);
      for (const [id] of functions)
        expect(has(metrics, "AWS/Lambda", "Errors", { FunctionName: `ref:${id}` }), id).toBe(true);
    },
  );

  it("notifies the optional SNS topic parameter, and nothing when it is empty", () => {
    // Act
    const alarms = Object.entries(central().Resources ?? {}).filter(
      ([, r]) => r.Type === "AWS::CloudWatch::Alarm",
    );
    const notify = { "Fn::If": ["HasAlarmTopic", [{ Ref: "AlarmTopicArn" }], { Ref: "AWS::NoValue" }] };

    // Assess
    expect(central().Parameters?.AlarmTopicArn).toMatchObject({ Type: "String", Default: "" });
    expect(central().Conditions?.HasAlarmTopic).toEqual({
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

  it("reports a dead-letter queue without a depth alarm, or with an alarm under another condition", () => {
    // Prepare
    const dlqAlarm = (queue: string, condition?: string) => ({
      Type: "AWS::CloudWatch::Alarm",
      ...(condition === undefined ? {} : { Condition: condition }),
      Properties: {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queue, "QueueName"] } }],
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: 0,
      },
    });
    const template: CfnTemplate = {
      Resources: {
        Watched: { Type: "AWS::SQS::Queue" },
        Unwatched: { Type: "AWS::SQS::Queue" },
        OrgOnly: { Type: "AWS::SQS::Queue", Condition: "OrganizationWide" },
        Source: {
          Type: "AWS::SQS::Queue",
          Properties: { RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": ["OrgOnly", "Arn"] } } },
        },
        Rule: {
          Type: "AWS::Events::Rule",
          Properties: {
            Targets: [
              { Arn: "x", DeadLetterConfig: { Arn: { "Fn::GetAtt": ["Watched", "Arn"] } } },
              { Arn: "y", DeadLetterConfig: { Arn: { "Fn::GetAtt": ["Unwatched", "Arn"] } } },
            ],
          },
        },
        WatchedAlarm: dlqAlarm("Watched"),
        OrgOnlyAlarm: dlqAlarm("OrgOnly"),
      },
    };

    // Act
    const violations = checkDeadLetterAlarms(template);

    // Assess
    expect(violations).toEqual([
      expect.stringMatching(/^OrgOnlyAlarm: condition undefined differs/),
      expect.stringMatching(/^Unwatched: dead-letter queue without/),
    ]);
  });
});
