import { describe, expect, it } from "vitest";
import { policyWarnings } from "../../../src/policy/policy-warnings.js";
import { policyWith } from "../support/fixtures.js";

const NOW = new Date("2026-06-15T12:00:00Z");

describe("policyWarnings", () => {
  it("names each destination that can fall outside the guard, and none that cannot", () => {
    // Prepare
    const policy = policyWith({
      rules: [
        {
          name: "prod",
          match: { tags: { env: "prod" } },
          destination: { type: "s3", arn: "arn:aws:s3:::elsewhere" },
        },
        { name: "dev", match: { tags: { env: "dev" } }, trafficType: "REJECT" },
      ],
    });

    // Act
    const warnings = policyWarnings(policy, {
      allowedDestinations: ["arn:aws:s3:::central-flow-logs/*"],
      now: NOW,
    });

    // Assess
    expect(warnings).toEqual([
      {
        path: "rules[0].destination",
        message:
          "arn:aws:s3:::elsewhere can fall outside ALLOWED_DESTINATIONS (arn:aws:s3:::central-flow-logs/*): those resources would be reported failed and get no flow log",
      },
    ]);
  });

  it("checks no destination when no guard is given", () => {
    // Prepare
    const policy = policyWith({ defaults: { destination: { type: "s3", arn: "arn:aws:s3:::elsewhere" } } });

    // Act
    const warnings = policyWarnings(policy, { now: NOW });

    // Assess
    expect(warnings).toEqual([]);
  });

  it("names an exemption whose expiry has passed", () => {
    // Prepare
    const policy = policyWith({
      rules: [
        { name: "old", exempt: true, expires: "2026-06-14" },
        { name: "current", exempt: true, expires: "2026-06-15" },
      ],
    });

    // Act
    const warnings = policyWarnings(policy, { now: NOW });

    // Assess
    expect(warnings).toEqual([
      {
        path: "rules[0].expires",
        message: "the exemption by rule old expired on 2026-06-14: it no longer matches",
      },
    ]);
  });
});
