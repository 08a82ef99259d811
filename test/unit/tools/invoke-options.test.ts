// `npm run invoke`'s command line and files: every mistake is one InvokeError line with its exit code.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkFunctionId,
  EXIT,
  InvokeError,
  parseInvokeArgs,
  readEnvFile,
  readEventText,
} from "../../../tools/invoke-options.js";

const FUNCTIONS = ["EventEnforcerFunction", "ConfigRuleFunction", "OrgSweepFunction"];

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "invoke-options-")), name);
  writeFileSync(path, text);
  return path;
}

function problemOf(act: () => unknown): { message: string; exitCode: number } {
  try {
    act();
  } catch (error) {
    if (error instanceof InvokeError) return { message: error.message, exitCode: error.exitCode };
    throw error;
  }
  throw new Error("no InvokeError");
}

describe("parseInvokeArgs", () => {
  it("reads SAM's options and --local", () => {
    expect(parseInvokeArgs(["OrgSweepFunction", "-e", "events/x.json", "-n", "env.json", "--local"])).toEqual(
      {
        logicalId: "OrgSweepFunction",
        eventPath: "events/x.json",
        envPath: "env.json",
        templatePath: "template.yaml",
        local: true,
        help: false,
      },
    );
  });

  it.each([
    [["Fn", "-e", "x.json", "--bogus"], /^unknown option --bogus; usage: npm run invoke -- /],
    [["Fn"], /^-e <event\.json> is required \(sample events are in events\/\); usage: /],
    [["-e", "x.json"], /^name the function to invoke; usage: /],
    [
      ["Fn", "Other", "-e", "x.json"],
      /^unexpected argument "Other" \(one function per invocation\); usage: /,
    ],
    [["Fn", "-e"], /^option -e, --event <value> needs a value|^option .* needs a value/],
  ])("%j: one line, exit 2", (argv, message) => {
    const problem = problemOf(() => parseInvokeArgs(argv));

    expect(problem.exitCode).toBe(EXIT.usage);
    expect(problem.message).toMatch(message);
    expect(problem.message).not.toContain("\n");
  });
});

describe("checkFunctionId", () => {
  it("suggests the nearest function for a typo and lists them all", () => {
    expect(problemOf(() => checkFunctionId("EventEnforcerFuncton", FUNCTIONS)).message).toBe(
      "EventEnforcerFuncton is not a function in the template (did you mean EventEnforcerFunction?); functions: EventEnforcerFunction, ConfigRuleFunction, OrgSweepFunction",
    );
  });
});

describe("readEventText", () => {
  it("names a missing file and where the samples are", () => {
    expect(problemOf(() => readEventText("events/nope.json")).message).toBe(
      "events/nope.json: no such file (the event; the sample events are in events/, see events/README.md)",
    );
  });

  it("names a file that is not JSON", () => {
    const path = file("event.json", "{ not json");

    expect(problemOf(() => readEventText(path)).message).toMatch(new RegExp(`^${path} is not valid JSON: `));
  });
});

describe("readEnvFile", () => {
  it("applies Parameters to every function and the function's own section over it", () => {
    const path = file(
      "env.json",
      JSON.stringify({
        Parameters: { POLICY_SOURCE: "file:a.yaml", SHARED: "all" },
        OrgSweepFunction: { POLICY_SOURCE: "file:b.yaml", AWS_MAX_ATTEMPTS: 3 },
        ConfigRuleFunction: { OTHER: "not mine" },
      }),
    );

    expect(readEnvFile(path, "OrgSweepFunction", FUNCTIONS, () => {})).toEqual({
      POLICY_SOURCE: "file:b.yaml",
      SHARED: "all",
      AWS_MAX_ATTEMPTS: "3",
    });
  });

  it("warns about a section that names no function, with the nearest one", () => {
    const path = file("env.json", JSON.stringify({ OrgSweepFuncton: { X: "1" } }));
    const warnings: string[] = [];

    readEnvFile(path, "OrgSweepFunction", FUNCTIONS, (line) => warnings.push(line));

    expect(warnings).toEqual([
      `${path}: "OrgSweepFuncton" is not a function in the template (did you mean OrgSweepFunction?); ignored`,
    ]);
  });

  it.each([
    ["[]", /must be a JSON object in SAM's -n format/],
    ['{"OrgSweepFunction": "x"}', /"OrgSweepFunction" must map variable names to strings/],
    ['{"Parameters": {"X": null}}', /"Parameters" must map variable names to strings.*\(X is null\)/],
  ])("refuses %s in one line", (text, message) => {
    const path = file("env.json", text);

    const problem = problemOf(() => readEnvFile(path, "OrgSweepFunction", FUNCTIONS, () => {}));

    expect(problem.message).toMatch(message);
    expect(problem.exitCode).toBe(EXIT.usage);
  });

  it("says to copy env.example.json when env.json does not exist", () => {
    expect(problemOf(() => readEnvFile("no/env.json", "OrgSweepFunction", FUNCTIONS, () => {})).message).toBe(
      "no/env.json: no such file (the environment file; copy env.example.json to env.json and edit it, or leave out -n)",
    );
  });
});
