import { afterEach, describe, expect, it, vi } from "vitest";
import { EventValidationError, SweepEnqueueError } from "../../../src/errors.js";
import { logger, metrics } from "../../../src/observability.js";
import { EMPTY_SWEEP_METRIC, startOrgSweep } from "../../../src/use-cases/start-org-sweep.js";
import { accountId, regionName } from "../support/builders.js";
import { FakeHistory, FakeOrgSweepPorts } from "../support/fake-ports.js";

function ports(): FakeOrgSweepPorts {
  const fake = new FakeOrgSweepPorts();
  fake.accounts = [accountId("111111111111"), accountId("222222222222")];
  return fake;
}

function enqueued(fake: FakeOrgSweepPorts): unknown[] {
  return fake.enqueued.map((body) => JSON.parse(body));
}

describe("startOrgSweep", () => {
  it("enqueues one message per ACTIVE account and governed region, carrying the invocation's run id", async () => {
    // Prepare
    const fake = ports();

    // Act
    const result = await startOrgSweep({}, "org-sweep-req-1", fake);

    // Assess
    expect(result).toEqual({
      runId: "org-sweep-req-1",
      accounts: 2,
      regions: ["us-east-1", "eu-west-1"],
      enqueued: 4,
    });
    expect(enqueued(fake)).toEqual([
      { accountId: "111111111111", region: "us-east-1", runId: "org-sweep-req-1" },
      { accountId: "111111111111", region: "eu-west-1", runId: "org-sweep-req-1" },
      { accountId: "222222222222", region: "us-east-1", runId: "org-sweep-req-1" },
      { accountId: "222222222222", region: "eu-west-1", runId: "org-sweep-req-1" },
    ]);
  });

  it("gives a retried run's entries the same deduplication ids, one message group per account-region", async () => {
    // Prepare: the first attempt loses one entry, as a partial SendMessageBatch failure would.
    const fake = ports();
    fake.refused.set(
      JSON.stringify({ accountId: "222222222222", region: "eu-west-1", runId: "org-sweep-req-9" }),
      "InternalError: try again",
    );
    await expect(startOrgSweep({}, "org-sweep-req-9", fake)).rejects.toBeInstanceOf(SweepEnqueueError);
    const firstAttempt = fake.offered.splice(0);
    fake.refused.clear();

    // Act: Lambda retries the invocation (same request id, so the same run id).
    await startOrgSweep({}, "org-sweep-req-9", fake);
    await startOrgSweep({}, "org-sweep-req-10", fake);

    // Assess
    const retry = fake.offered.slice(0, 4);
    const nextRun = fake.offered.slice(4);
    expect(retry).toEqual(firstAttempt);
    expect(new Set(retry.map((entry) => entry.deduplicationId)).size).toBe(4);
    expect(retry.every((entry) => /^[0-9a-f]{64}$/.test(entry.deduplicationId))).toBe(true);
    expect(retry.map((entry) => entry.groupId)).toEqual([
      "111111111111/us-east-1",
      "111111111111/eu-west-1",
      "222222222222/us-east-1",
      "222222222222/eu-west-1",
    ]);
    expect(nextRun.map((entry) => entry.groupId)).toEqual(retry.map((entry) => entry.groupId));
    expect(nextRun.some((entry) => retry.some((r) => r.deduplicationId === entry.deduplicationId))).toBe(
      false,
    );
  });

  it("sweeps only the requested accounts and regions, and skips an account outside the organization", async () => {
    // Prepare
    const fake = ports();

    // Act
    const result = await startOrgSweep(
      { accounts: ["222222222222", "999999999999"], regions: ["ap-southeast-2"], runId: "repair-7" },
      "org-sweep-req-2",
      fake,
    );

    // Assess
    expect(enqueued(fake)).toEqual([
      { accountId: "222222222222", region: "ap-southeast-2", runId: "repair-7" },
    ]);
    expect(result.skipped).toEqual([
      { accountId: "999999999999", reason: "not an ACTIVE member of the organization" },
    ]);
    expect(result.enqueued).toBe(1);
  });

  it("sends every message it can, then fails the invocation naming those that never got in", async () => {
    // Prepare
    const fake = ports();
    for (const region of ["us-east-1", "eu-west-1"])
      fake.refused.set(
        JSON.stringify({ accountId: "222222222222", region, runId: "org-sweep-req-3" }),
        "InvalidParameterValue: no",
      );

    // Act
    const run = startOrgSweep({}, "org-sweep-req-3", fake);

    // Assess
    await expect(run).rejects.toBeInstanceOf(SweepEnqueueError);
    await expect(run).rejects.toMatchObject({ sent: 2, unsent: [expect.anything(), expect.anything()] });
  });

  it("with GOVERNED_REGIONS=ALL sweeps each account's enabled regions, asked of the account", async () => {
    // Prepare
    const fake = ports();
    fake.governedRegions = "all";
    fake.enabledRegions.set("111111111111", [regionName("us-east-1"), regionName("af-south-1")]);
    fake.enabledRegions.set("222222222222", [regionName("eu-central-1")]);

    // Act
    const result = await startOrgSweep({}, "org-sweep-all", fake);

    // Assess
    expect(result).toMatchObject({ regions: ["ALL"], enqueued: 3 });
    expect(enqueued(fake)).toEqual([
      { accountId: "111111111111", region: "us-east-1", runId: "org-sweep-all" },
      { accountId: "111111111111", region: "af-south-1", runId: "org-sweep-all" },
      { accountId: "222222222222", region: "eu-central-1", runId: "org-sweep-all" },
    ]);
  });

  it("with ALL, sweeps an account that cannot be asked in the home region, where the worker reports why", async () => {
    // Prepare
    const fake = ports();
    fake.governedRegions = "all";
    fake.enabledRegions.set("111111111111", [regionName("eu-west-1")]);

    // Act
    await startOrgSweep({}, "org-sweep-all-2", fake);

    // Assess
    expect(enqueued(fake)).toEqual([
      { accountId: "111111111111", region: "eu-west-1", runId: "org-sweep-all-2" },
      { accountId: "222222222222", region: "us-east-1", runId: "org-sweep-all-2" },
    ]);
  });

  it("rejects a malformed request before listing or enqueueing anything", async () => {
    // Prepare
    let listed = false;
    const fake = ports();
    fake.activeAccounts = async () => {
      listed = true;
      return [];
    };

    // Act
    const run = startOrgSweep({ regions: ["Ireland"] }, "r", fake);

    // Assess
    await expect(run).rejects.toBeInstanceOf(EventValidationError);
    expect(listed).toBe(false);
    expect(fake.enqueued).toEqual([]);
  });

  it("writes the run's manifest next to the workers' outcomes when a history is kept, even if some failed to enqueue", async () => {
    // Prepare
    const fake = ports();
    const history = new FakeHistory();
    fake.history = history;
    fake.refused.set(
      JSON.stringify({ accountId: "222222222222", region: "eu-west-1", runId: "r-7" }),
      "throttled",
    );

    // Act
    const run = startOrgSweep({ runId: "r-7" }, "req", fake);

    // Assess
    await expect(run).rejects.toBeInstanceOf(SweepEnqueueError);
    expect([...history.objects.keys()]).toEqual(["runs/run=r-7/manifest.json"]);
    expect(JSON.parse(history.objects.get("runs/run=r-7/manifest.json") ?? "{}")).toMatchObject({
      runId: "r-7",
      accounts: ["111111111111", "222222222222"],
      regions: ["us-east-1", "eu-west-1"],
      enqueued: 3,
      notEnqueued: 1,
    });
  });

  it("warns and counts a sweep that finds no account to sweep, which would otherwise look healthy", async () => {
    // Prepare
    const fake = ports();
    fake.accounts = [];
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => {});
    const addMetric = vi.spyOn(metrics, "addMetric");

    // Act
    const result = await startOrgSweep({}, "org-sweep-req-9", fake);

    // Assess
    expect(result).toMatchObject({ accounts: 0, enqueued: 0 });
    expect(warn).toHaveBeenCalledWith(
      "org sweep found no account to sweep",
      expect.objectContaining({
        runId: "org-sweep-req-9",
        reason: expect.stringMatching(/lists no ACTIVE account/),
      }),
    );
    expect(addMetric).toHaveBeenCalledWith(EMPTY_SWEEP_METRIC, "Count", 1);
  });

  it("neither warns nor counts an empty sweep when it found accounts", async () => {
    // Prepare
    const fake = ports();
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => {});
    const addMetric = vi.spyOn(metrics, "addMetric");

    // Act
    await startOrgSweep({}, "org-sweep-req-10", fake);

    // Assess
    expect(warn).not.toHaveBeenCalled();
    expect(addMetric).not.toHaveBeenCalledWith(EMPTY_SWEEP_METRIC, expect.anything(), expect.anything());
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  metrics.clearMetrics();
});
