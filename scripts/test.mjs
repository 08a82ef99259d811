// `npm test`: every check, each run even when an earlier one failed, so one failure never hides another — Biome
// lint, tsc type-check, build, cfn-lint on the templates, then the unit and integration tests. The test runner goes
// last so its summary line ends the output; the exit code is 1 when any step failed. The integration tests run the
// built bundles, so a failed build stops the tests rather than testing stale ones.
import { spawnSync } from "node:child_process";

const STEPS = [
  { name: "lint", command: ["npx", "biome", "check", "."] },
  { name: "typecheck", command: ["npx", "tsc", "--noEmit"] },
  { name: "build", command: ["node", "scripts/build.mjs"], required: true },
  {
    name: "lint:template",
    // The template list lives once, in package.json's lint:template.
    command: ["npm", "run", "--silent", "lint:template"],
  },
];

const failed = [];
for (const step of STEPS) {
  process.stderr.write(`\n> ${step.name}: ${step.command.join(" ")}\n`);
  const [program, ...args] = step.command;
  const run = spawnSync(program, args, { stdio: "inherit" });
  if (run.error) process.stderr.write(`${step.name} could not start: ${run.error.message}\n`);
  if (run.status === 0) continue;
  failed.push(step.name);
  if (step.required) {
    process.stderr.write(
      `\nnpm test: ${step.name} failed, so the tests were not run (failed: ${failed.join(", ")})\n`,
    );
    process.exit(1);
  }
}
if (failed.length > 0)
  process.stderr.write(
    `\nnpm test: ${failed.join(", ")} failed (above); running the tests anyway, npm test will fail\n`,
  );

process.stderr.write("\n> tests: vitest run\n");
const tests = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(failed.length > 0 || tests.status !== 0 ? 1 : 0);
