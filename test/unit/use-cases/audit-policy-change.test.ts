import { afterEach, describe, expect, it, vi } from "vitest";
import { logger } from "../../../src/observability.js";
import { auditPolicyChange, type PolicyNotification } from "../../../src/use-cases/audit-policy-change.js";
import { readEvent } from "../support/fixtures.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("auditPolicyChange", () => {
  it("logs one line naming who changed the policy and the new version, and notifies the alarm topic", async () => {
    // Prepare
    const lines = vi.spyOn(logger, "info").mockImplementation(() => undefined);
    const sent: PolicyNotification[] = [];

    // Act
    const result = await auditPolicyChange(readEvent("policy-parameter-changed.json"), {
      notify: async (notification) => {
        sent.push(notification);
      },
    });

    // Assess
    expect(lines).toHaveBeenCalledWith(
      "policy parameter changed",
      expect.objectContaining({
        changedBy: "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice",
        parameters: ["/vpc-flow-log-enforcer/policy"],
        newVersion: 4,
      }),
    );
    expect(result.notified).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toBe("vpc-flow-log-enforcer: policy changed");
    expect(sent[0]?.message.split("\n").slice(0, 4)).toEqual([
      "PutParameter on /vpc-flow-log-enforcer/policy in 123456789012/us-east-1; new version 4",
      "by arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice (role arn:aws:iam::123456789012:role/PlatformAdmin)",
      "from 203.0.113.10",
      "at 2026-11-22T09:14:03Z",
    ]);
  });

  it("only logs when the deployment has no alarm topic", async () => {
    // Prepare
    vi.spyOn(logger, "info").mockImplementation(() => undefined);

    // Act
    const result = await auditPolicyChange(readEvent("policy-parameter-changed.json"), {});

    // Assess
    expect(result.notified).toBe(false);
  });

  it("fails the invocation when the notification cannot be sent, so the event is retried", async () => {
    // Prepare
    vi.spyOn(logger, "info").mockImplementation(() => undefined);
    const refused = new Error("AuthorizationError: not allowed to publish");

    // Act
    const auditing = auditPolicyChange(readEvent("policy-parameter-changed.json"), {
      notify: async () => {
        throw refused;
      },
    });

    // Assess
    await expect(auditing).rejects.toBe(refused);
  });
});
