// What a newcomer does, in a fresh copy of the repository: the README's commands verbatim, in its order — `npm start`,
// then "Run a function locally" — and `npm run invoke` on every sample in events/ with the command events/README.md
// gives for it. Each must exit 0 with a result that did real work (no `not-found`, no failure).
//
// The copy holds the files git would check out (tracked, plus new ones not ignored), so whatever a developer has
// that a clone lacks — dist/, env.json — is missing, as it is for a newcomer. node_modules is linked rather than
// installed (`npm ci` needs the registry). The README's own lines run with an embedded moto each; the per-sample lines
// reuse the run's moto through AWS_ENDPOINT_URL (which --local accepts), so 17 invocations do not start 17 motos.
import { execFileSync, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useMoto } from "../support/aws-env.js";
import { resetMoto } from "../support/moto.js";

const motoEndpoint = useMoto();

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const clone = mkdtempSync(join(tmpdir(), "fresh-clone-"));

/** The tracked and new, not ignored, files of the checkout, copied as a clone would have them. */
function copyCheckout(): void {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    encoding: "utf-8",
  });
  for (const file of new Set(listed.split("\0").filter(Boolean))) {
    if (!existsSync(file)) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    copyFileSync(file, join(clone, file));
  }
  symlinkSync(resolve("node_modules"), join(clone, "node_modules"), "dir");
}

/** A shell command line exactly as written, in the clone; `env` entries set to undefined are removed. */
function sh(line: string, env: Record<string, string | undefined> = {}): Promise<Run> {
  const merged = Object.fromEntries(
    Object.entries({ ...process.env, ...env }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const child = spawn("sh", ["-c", line], { cwd: clone, env: merged, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

/** Without AWS_ENDPOINT_URL: `--local` starts its own moto, `npm start` its own. */
const ON_A_NEW_MACHINE = {
  AWS_ENDPOINT_URL: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
};

/** What a failing assertion shows: the command and the end of what it printed (the function's logs included). */
function shown(line: string, run: Run): string {
  const tail = (text: string) => text.trimEnd().split("\n").slice(-40).join("\n");
  return `${line}\n--- exit ${run.code}; stdout (end) ---\n${tail(run.stdout)}\n--- stderr (end) ---\n${tail(run.stderr)}`;
}

/** The result JSON: the last stdout line (npm prints its "> script" banner first). */
function resultOf(run: Run): unknown {
  const last = run.stdout.trimEnd().split("\n").at(-1) ?? "";
  return JSON.parse(last);
}

/** `invoke:` lines and anything else the command printed on stderr that is not one of the function's JSON logs. */
function messages(run: Run): string[] {
  return run.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("{"));
}

/** Backticked `npm run invoke …` commands of a markdown file, or the lines of its first bash block after `heading`. */
function readmeBlock(heading: string): string[] {
  const text = readFileSync(join(clone, "README.md"), "utf-8");
  const section = text.slice(text.indexOf(heading));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block.split("\n").filter((line) => line.trim() !== "");
}

function sampleCommands(): Map<string, string> {
  const text = readFileSync(join(clone, "events", "README.md"), "utf-8");
  const commands = new Map<string, string>();
  for (const [, command, file] of text.matchAll(/`(npm run invoke -- \S+ -e events\/(\S+\.json)[^`]*)`/g))
    if (command !== undefined && file !== undefined) commands.set(file, command);
  return commands;
}

/** Says what a result did, and why it is not sensible when it is not (e.g. `not-found`, a failed record). */
function problemsOf(result: unknown): string[] {
  const text = JSON.stringify(result);
  const problems: string[] = [];
  if (/"not-found"|"failed"/.test(text)) problems.push(`not sensible: ${text}`);
  if (typeof result !== "object" || result === null) return [...problems, `not an object: ${text}`];
  if (
    "outcomes" in result &&
    Array.isArray(result.outcomes) &&
    result.outcomes.length === 0 &&
    !("ignored" in result)
  )
    problems.push("no outcome at all");
  if (
    "batchItemFailures" in result &&
    Array.isArray(result.batchItemFailures) &&
    result.batchItemFailures.length > 0
  )
    problems.push(`failed records: ${text}`);
  if ("evaluations" in result && Array.isArray(result.evaluations) && result.evaluations.length === 0)
    problems.push("no evaluation");
  if ("enqueued" in result && result.enqueued === 0) problems.push("enqueued nothing");
  return problems;
}

beforeAll(() => {
  copyCheckout();
});

describe("a newcomer following the README in a fresh clone", () => {
  it("is told to build first, in one line with exit 3, when invoking before npm run build", async () => {
    const line = "npm run invoke -- EventEnforcerFunction -e events/vpc-created.json --local";

    const run = await sh(line, ON_A_NEW_MACHINE);

    expect(run.code, shown(line, run)).toBe(3);
    expect(messages(run), shown(line, run)).toEqual([
      expect.stringMatching(/^invoke: .*dist\/event-enforcer\.mjs does not exist: run npm run build first$/),
    ]);
  });

  it("npm start: seeds moto, runs the samples, ends with every resource covered, counting flow logs apart", async () => {
    const run = await sh("npm start", ON_A_NEW_MACHINE);

    expect(run.code, shown("npm start", run)).toBe(0);
    const rows = run.stdout.split("\n").filter((row) => /^(VPC|Subnet)\s/.test(row));
    const after = rows.map((row) => row.split(/\s{2,}/)[3]);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.some((row) => row.includes("NOT COVERED"))).toBe(true);
    expect(after.filter((state) => state !== "compliant" && state !== "exempt")).toEqual([]);
    // The tamper repair covers the default VPC and its subnets with one flow log: 7 resources, 1 flow log.
    expect(run.stdout).toMatch(/flow-log-deleted\.json\n {2}→ 7 resources covered by 1 new flow log, /);
    expect(run.stdout).toMatch(/^In all: \d+ resources covered by \d+ new flow logs\.$/m);
  });

  it("Run a function locally: every line of the README's block works as written, each with its own moto", async () => {
    const lines = readmeBlock("### Run a function locally");
    expect(lines[0]).toBe("npm run build");

    for (const line of lines) {
      const run = await sh(line, ON_A_NEW_MACHINE);

      expect(run.code, shown(line, run)).toBe(0);
      if (!line.startsWith("npm run invoke")) continue;
      expect(problemsOf(resultOf(run)), shown(line, run)).toEqual([]);
      expect(run.stderr, shown(line, run)).toMatch(
        /^invoke: --local: started moto_server at http:\/\/127\.0\.0\.1:\d+/m,
      );
      // Powertools sees a cold start, as Lambda's runtime tells it; nothing warns about metrics.
      expect(run.stderr).toContain('"cold_start":true');
      expect(run.stderr).not.toContain("No application metrics to publish");
    }
  });

  it("has a command in events/README.md for every sample in events/", () => {
    const samples = readdirSync(join(clone, "events")).filter((file) => file.endsWith(".json"));

    expect(samples.filter((file) => !sampleCommands().has(file))).toEqual([]);
  });

  it.each(readdirSync("events").filter((file) => file.endsWith(".json")))(
    "events/%s: its command from events/README.md exits 0 with a sensible result",
    async (file) => {
      const line = sampleCommands().get(file) ?? `(no command for ${file} in events/README.md)`;

      const run = await sh(line, { AWS_ENDPOINT_URL: motoEndpoint() });

      expect(run.code, shown(line, run)).toBe(0);
      expect(problemsOf(resultOf(run)), shown(line, run)).toEqual([]);
      expect(
        messages(run).filter((message) => !message.startsWith("invoke: ")),
        shown(line, run),
      ).toEqual([]);
      expect(run.stderr).not.toContain("No application metrics to publish");
    },
  );

  it("the null-response default VPC sample: 7 resources covered by 1 new flow log, said on stderr", async () => {
    const line = sampleCommands().get("default-vpc-created-null-response.json") ?? "";
    // A fresh moto state (cheaper than a moto of its own): its default VPC and six default subnets, no flow log yet.
    await resetMoto(motoEndpoint());

    const run = await sh(line, { AWS_ENDPOINT_URL: motoEndpoint() });

    expect(run.code, shown(line, run)).toBe(0);
    expect(run.stderr).toContain("invoke: EventEnforcerFunction: 7 resources covered by 1 new flow log\n");
  });
});

describe("a newcomer's mistakes: one line on stderr naming what is wrong and what to do", () => {
  it.each([
    [
      "-n env.json before copying env.example.json",
      "npm run invoke -- EventEnforcerFunction -e events/vpc-created.json -n env.json --local",
      2,
      /^invoke: env\.json: no such file \(.*copy env\.example\.json to env\.json/,
    ],
    [
      "a function ID typo",
      "npm run invoke -- EventEnforcerFuncton -e events/vpc-created.json --local",
      2,
      /^invoke: EventEnforcerFuncton is not a function in the template \(did you mean EventEnforcerFunction\?\)/,
    ],
    [
      "an unknown flag",
      "npm run invoke -- EventEnforcerFunction -e events/vpc-created.json --locl",
      2,
      /^invoke: unknown option --locl; usage: npm run invoke -- /,
    ],
    [
      "an event file that is not JSON",
      "npm run invoke -- EventEnforcerFunction -e README.md --local",
      2,
      /^invoke: README\.md is not valid JSON: /,
    ],
    [
      "the org sweep without --local or a queue URL",
      "npm run invoke -- OrgSweepFunction -e events/org-sweep-scheduled.json",
      2,
      /^invoke: SWEEP_QUEUE_URL is !Ref SweepQueue \(AWS::SQS::Queue\), which exists only in a deployed stack: set it with -n env\.json .* or add --local/,
    ],
  ])("%s", async (_case, line, code, message) => {
    const run = await sh(line, ON_A_NEW_MACHINE);

    expect(run.code, shown(line, run)).toBe(code);
    expect(messages(run), shown(line, run)).toEqual([expect.stringMatching(message)]);
  });

  it("a handler that throws: exit 1 with Lambda's error JSON, and no metrics warning", async () => {
    const line = "npm run invoke -- EventEnforcerFunction -e events/vpc-created.json";

    const run = await sh(line, {
      AWS_ENDPOINT_URL: motoEndpoint(),
      POLICY_SOURCE: undefined,
      // Not --local: the template's policy parameter was never created in this moto.
    });

    expect(run.code, shown(line, run)).toBe(1);
    expect(resultOf(run)).toMatchObject({
      errorType: expect.any(String),
      errorMessage: expect.stringContaining("policy"),
    });
    expect(run.stderr).not.toContain("No application metrics to publish");
  });
});
