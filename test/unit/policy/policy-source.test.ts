import { describe, expect, it } from "vitest";
import { parsePolicySource, policySourceLabel, policySourceText } from "../../../src/policy/policy-source.js";

describe("parsePolicySource", () => {
  it.each([
    ["ssm:/vpc-flow-log-enforcer/policy", { kind: "ssm", parameterName: "/vpc-flow-log-enforcer/policy" }],
    [
      "s3://org-config/flow-logs/policy.yaml",
      { kind: "s3", bucket: "org-config", key: "flow-logs/policy.yaml" },
    ],
    ["file:./policy.yaml", { kind: "file", path: "./policy.yaml" }],
    ["  file:/etc/policy.json  ", { kind: "file", path: "/etc/policy.json" }],
  ])("reads %s", (text, expected) => {
    expect(parsePolicySource(text)).toEqual(expected);
  });

  it.each([
    "https://example.com/policy.yaml",
    "dynamodb:policies",
    "ssm:",
    "file:",
    "s3://bucket-only",
    "s3:///key-without-bucket",
    "policy.yaml",
  ])("refuses %s", (text) => {
    expect(parsePolicySource(text)).toBeUndefined();
  });

  it("gives back the text it read, so a source names itself the same way everywhere", () => {
    for (const text of ["ssm:/p", "s3://b/k/with/folders.yaml", "file:policy.yaml"]) {
      const source = parsePolicySource(text);

      expect(source && policySourceText(source)).toBe(text);
    }
  });

  it("labels a file by its bare path and other sources by their text", () => {
    expect(policySourceLabel({ kind: "file", path: "examples/policy.yaml" })).toBe("examples/policy.yaml");
    expect(policySourceLabel({ kind: "ssm", parameterName: "/p" })).toBe("ssm:/p");
  });
});
