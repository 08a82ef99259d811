// policy.schema.json and docs/policy-reference.md are generated; a stale copy misleads users and editors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyJsonSchema } from "../../../scripts/policy-json-schema.js";
import { policyReferenceMarkdown, withReferenceSection } from "../../../scripts/policy-reference-doc.js";

describe("generated policy documentation", () => {
  it("policy.schema.json matches the zod schema (run npm run schema)", () => {
    const committed: unknown = JSON.parse(readFileSync("policy.schema.json", "utf-8"));

    expect(committed).toEqual(policyJsonSchema());
  });

  it("docs/policy-reference.md matches the schema (run npm run schema)", () => {
    const committed = readFileSync("docs/policy-reference.md", "utf-8");

    expect(committed).toContain(policyReferenceMarkdown(policyJsonSchema()));
  });

  it("the README's policy reference matches the schema (run npm run schema)", () => {
    const readme = readFileSync("README.md", "utf-8");

    expect(withReferenceSection(readme, policyReferenceMarkdown(policyJsonSchema()))).toBe(readme);
  });

  it("documents required fields, defaults and allowed values", () => {
    const reference = policyReferenceMarkdown(policyJsonSchema());

    expect(reference).toContain("| `version` | `1` | yes |");
    expect(reference).toContain('| `mode` | `enforce`, `audit` | no | `"enforce"` |');
    expect(reference).toContain("| `defaults.maxAggregationInterval` | `60`, `600` |");
  });
});
