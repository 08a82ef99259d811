// Findings and notifications published by the one enforcement run every trigger shares, on in-memory ports.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { EnforcementScope } from "../../../src/engine/enforce.js";
import { logger, metrics } from "../../../src/observability.js";
import { findingId } from "../../../src/reports/findings.js";
import { type EnforcementJob, runEnforcement } from "../../../src/use-cases/run-enforcement.js";
import { target, VPC_A, VPC_B } from "../support/builders.js";
import {
  FakeEnforcementPorts,
  FakeFindings,
  FakeNotifications,
  HOME,
  MEMBER,
} from "../support/fake-ports.js";
import { policyWith } from "../support/fixtures.js";

const HERE = target(HOME, "us-east-1");
const ACCOUNT_REGION: EnforcementScope = { kind: "account-region" };

beforeAll(() => {
  logger.setLogLevel("SILENT");
});
afterEach(() => {
  vi.restoreAllMocks();
});

function setup(mode: "audit" | "enforce" = "audit") {
  const ports = new FakeEnforcementPorts();
  ports.policy = policyWith({ mode });
  ports.ec2For(HERE).resources.push({ type: "VPC", id: VPC_A }, { type: "VPC", id: VPC_B });
  const findings = new FakeFindings();
  const notifications = new FakeNotifications();
  ports.outputs = { findings, notifications };
  return { ports, findings, notifications };
}

function job(overrides: Partial<EnforcementJob> = {}): EnforcementJob {
  return {
    target: HERE,
    scope: ACCOUNT_REGION,
    idempotencySeed: "run-1",
    correlation: { trigger: "sweep", correlationId: "run-1" },
    ...overrides,
  };
}

describe("publishing outputs after enforcement", () => {
  it("audit: one FAILED finding per uncovered resource and one notification listing them", async () => {
    // Prepare
    const { ports, findings, notifications } = setup("audit");

    // Act
    await runEnforcement(job(), ports);

    // Assess
    expect(findings.reads).toEqual([{ target: `${HOME}/us-east-1`, ids: "all" }]);
    expect([...findings.stored.values()].map((f) => [f.Id, f.Compliance.Status])).toEqual([
      [findingId(HERE, VPC_A), "FAILED"],
      [findingId(HERE, VPC_B), "FAILED"],
    ]);
    expect(notifications.published).toHaveLength(1);
    expect(notifications.published[0]?.attributes).toEqual({
      accountId: HOME,
      region: "us-east-1",
      outcome: ["would-create"],
    });
    expect(notifications.published[0]?.message).toContain(VPC_A);
    expect(notifications.published[0]?.message).toContain(VPC_B);
  });

  it("a second identical run reads the findings and imports nothing", async () => {
    // Prepare
    const { ports, findings } = setup("audit");
    await runEnforcement(job(), ports);

    // Act
    await runEnforcement(job(), ports);

    // Assess
    expect(findings.reads).toHaveLength(2);
    expect(findings.applied).toHaveLength(1);
  });

  it("enforcement passes and resolves the same findings, and notifies nobody", async () => {
    // Prepare
    const { ports, findings, notifications } = setup("audit");
    await runEnforcement(job(), ports);
    ports.policy = policyWith({ mode: "enforce" });

    // Act
    await runEnforcement(job({ idempotencySeed: "run-2" }), ports);

    // Assess
    expect(findings.applied.at(-1)?.plan.resolve).toEqual([findingId(HERE, VPC_A), findingId(HERE, VPC_B)]);
    expect([...findings.stored.values()].map((f) => [f.Compliance.Status, f.workflow])).toEqual([
      ["PASSED", "RESOLVED"],
      ["PASSED", "RESOLVED"],
    ]);
    expect(notifications.published).toHaveLength(1);
  });

  it("an event reads only the findings of the resources it names", async () => {
    // Prepare
    const { ports, findings } = setup("audit");

    // Act
    await runEnforcement(
      job({ scope: { kind: "resources", resources: [{ type: "VPC", id: VPC_A }] } }),
      ports,
    );

    // Assess
    expect(findings.reads).toEqual([{ target: `${HOME}/us-east-1`, ids: [findingId(HERE, VPC_A)] }]);
    expect([...findings.stored.keys()]).toEqual([findingId(HERE, VPC_A)]);
  });

  it("a refused import is logged and counted, and neither fails the run nor stops the notification", async () => {
    // Prepare
    const { ports, findings, notifications } = setup("audit");
    findings.failure = new Error("InvalidAccessException: Account is not subscribed to AWS Security Hub");
    const errors = vi.spyOn(logger, "error");
    const counted = vi.spyOn(metrics, "addMetric");

    // Act
    const report = await runEnforcement(job(), ports);

    // Assess
    expect(report.outcomes).toHaveLength(2);
    expect(notifications.published).toHaveLength(1);
    expect(errors).toHaveBeenCalledWith(
      "report output failed",
      expect.objectContaining({ output: "findings", error: expect.stringContaining("not subscribed") }),
    );
    expect(counted).toHaveBeenCalledWith("ReportOutputFailures", "Count", 1);
  });

  it("an unreachable account-region gets a notification but no Security Hub call", async () => {
    // Prepare
    const { ports, findings, notifications } = setup("audit");
    ports.unassumable.add(MEMBER);

    // Act
    await runEnforcement(job({ target: target(MEMBER, "us-east-1") }), ports);

    // Assess
    expect(findings.reads).toEqual([]);
    expect(notifications.published[0]?.attributes.outcome).toEqual(["failed"]);
    expect(notifications.published[0]?.message).toContain("cannot assume");
  });

  it("publishes nothing without outputs, as before", async () => {
    // Prepare
    const { ports, findings } = setup("audit");
    ports.outputs = undefined;

    // Act
    await runEnforcement(job(), ports);

    // Assess
    expect(findings.reads).toEqual([]);
  });
});
