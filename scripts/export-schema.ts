// `npm run schema`: writes policy.schema.json, docs/policy-reference.md and the README's reference table from the
// zod policy schema (the single source of truth). A unit test fails when any of them is stale.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { policyJsonSchema } from "./policy-json-schema.js";
import { policyReferenceMarkdown, withReferenceSection } from "./policy-reference-doc.js";

const schema = policyJsonSchema();
writeFileSync("policy.schema.json", `${JSON.stringify(schema, null, 2)}\n`);
mkdirSync("docs", { recursive: true });
writeFileSync(
  "docs/policy-reference.md",
  `# Policy reference\n\nGenerated from the policy schema by \`npm run schema\`; do not edit by hand.\n\n${policyReferenceMarkdown(schema)}\n`,
);
writeFileSync(
  "README.md",
  withReferenceSection(readFileSync("README.md", "utf-8"), policyReferenceMarkdown(schema)),
);
console.error("wrote policy.schema.json, docs/policy-reference.md and the README's policy reference");
