// What the functions count and log for every report: resources per outcome kind and, apart, the flow logs written;
// and the metrics flush that stays quiet when an invocation failed before counting anything.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { EnforcementReport, Outcome } from "../../src/engine/enforce.js";
import {
  FLOW_LOGS_CREATED_METRIC,
  logger,
  metrics,
  publishMetrics,
  publishReport,
} from "../../src/observability.js";

beforeAll(() => {
  logger.setLogLevel("SILENT");
});

afterEach(() => {
  vi.restoreAllMocks();
  metrics.clearMetrics();
  metrics.clearDimensions();
});

function created(resourceId: string, flowLogId: string): Outcome {
  return {
    accountId: "123456789012",
    region: "us-east-1",
    resourceType: resourceId.startsWith("vpc-") ? "VPC" : "Subnet",
    resourceId,
    outcome: "created",
    flowLogIds: [flowLogId],
  };
}

describe("publishReport", () => {
  it("counts 7 resources created and, beside them, the 1 flow log that covers them", () => {
    // Prepare: one VPC flow log covering the VPC and its six subnets.
    const report: EnforcementReport = {
      mode: "enforce",
      outcomes: [
        created("vpc-0a1b2c3d4e5f60718", "fl-1"),
        ...[1, 2, 3, 4, 5, 6].map((n) => created(`subnet-0a1b2c3d4e5f6071${n}`, "fl-1")),
      ],
    };
    const addMetric = vi.spyOn(metrics, "addMetric");

    // Act
    publishReport(report, { trigger: "eventbridge", correlationId: "event-1" });

    // Assess
    expect(addMetric.mock.calls).toEqual([
      ["created", "Count", 7],
      [FLOW_LOGS_CREATED_METRIC, "Count", 1],
    ]);
  });

  it("counts no FlowLogsCreated when nothing was written", () => {
    // Prepare
    const report: EnforcementReport = {
      mode: "audit",
      outcomes: [{ ...created("vpc-0a1b2c3d4e5f60718", "fl-1"), outcome: "would-create", flowLogIds: [] }],
    };
    const addMetric = vi.spyOn(metrics, "addMetric");

    // Act
    publishReport(report, { trigger: "sweep", correlationId: "run-1" });

    // Assess
    expect(addMetric.mock.calls).toEqual([["would-create", "Count", 1]]);
  });
});

describe("publishMetrics middleware", () => {
  it("publishes what the invocation counted", async () => {
    // Prepare
    const publish = vi.spyOn(metrics, "publishStoredMetrics").mockImplementation(() => metrics);
    metrics.addMetric("created", "Count", 1);

    // Act
    await publishMetrics().after?.({} as never);

    // Assess
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it("does not warn 'No application metrics to publish' when an invocation failed before counting", async () => {
    // Prepare
    const warn = vi.spyOn(logger, "warn");
    const publish = vi.spyOn(metrics, "publishStoredMetrics");
    metrics.addDimension("trigger", "eventbridge");

    // Act
    await publishMetrics().onError?.({} as never);

    // Assess
    expect(publish).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
