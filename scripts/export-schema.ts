// `npm run schema`: writes policy.schema.json and docs/policy-reference.md from the zod policy schema (the single
// source of truth), for editors (yaml-language-server) and readers. A unit test fails when either is stale.
import { mkdirSync, writeFileSync } from "node:fs";
import { policyJsonSchema } from "../src/policy/json-schema.js";
import { policyReferenceMarkdown } from "../src/policy/reference-doc.js";

const schema = policyJsonSchema();
writeFileSync("policy.schema.json", `${JSON.stringify(schema, null, 2)}\n`);
mkdirSync("docs", { recursive: true });
writeFileSync(
  "docs/policy-reference.md",
  `# Policy reference\n\nGenerated from the policy schema by \`npm run schema\`; do not edit by hand.\n\n${policyReferenceMarkdown(schema)}\n`,
);
console.error("wrote policy.schema.json and docs/policy-reference.md");
