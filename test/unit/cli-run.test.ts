import { describe, expect, it } from "vitest";
import { describeError, HELP, runCli } from "../../src/cli/run-cli.js";
import { PolicyValidationError, UsageError } from "../../src/errors.js";
import { recordingIo } from "./support/cli-io.js";

describe("runCli", () => {
  it("prints the help on stdout for --help and exits 0", async () => {
    const io = recordingIo();

    expect(await runCli(["--help"], io, false)).toBe(0);
    expect(io.stdout).toEqual([HELP]);
  });

  it("prints the help on stderr and exits 1 without a command", async () => {
    const io = recordingIo();

    expect(await runCli([], io, false)).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toEqual([HELP]);
  });

  it("names an unknown command", async () => {
    const io = recordingIo();

    expect(await runCli(["sacn"], io, false)).toBe(1);
    expect(io.stderr[0]).toMatch(/^flowlogs: unknown command "sacn"/);
  });

  it("prints one command's usage for <command> --help", async () => {
    const io = recordingIo();

    expect(await runCli(["explain", "--help"], io, false)).toBe(0);
    expect(io.stdout[0]).toMatch(/^usage: flowlogs explain --policy <source> --account <id>/);
  });

  it("turns a usage error into one line on stderr and exit 1", async () => {
    const io = recordingIo();

    expect(await runCli(["scan", "--accounts", "12"], io, false)).toBe(1);
    expect(io.stderr).toEqual(['flowlogs: --accounts takes 12-digit account IDs (got "12")']);
  });
});

describe("describeError", () => {
  it("lists an invalid policy's problems as file:line:column lines", () => {
    const error = new PolicyValidationError("file:policy.yaml", [
      { path: "defaults.trafficType", message: "Invalid option", line: 7, column: 16 },
      { path: "", message: "Unknown key" },
    ]);

    expect(describeError(error, false)).toBe(
      [
        "policy.yaml:7:16: defaults.trafficType: Invalid option",
        "policy.yaml: (root): Unknown key",
        "flowlogs: invalid policy (2 problem(s))",
      ].join("\n"),
    );
  });

  it("maps the SDK's missing-credentials error to the how-to message", () => {
    const error = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });

    expect(describeError(error, false)).toMatch(/^flowlogs: no AWS credentials found: set AWS_PROFILE/);
  });

  it("says AWS cannot be reached when no service answers", () => {
    const error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });

    expect(describeError(error, false)).toBe(
      "flowlogs: cannot reach AWS: connect ECONNREFUSED 127.0.0.1:1 (check the network, proxy settings or AWS_ENDPOINT_URL)",
    );
  });

  it("calls anything else unexpected, with the stack only when verbose", () => {
    const error = new TypeError("boom");

    expect(describeError(error, false)).toBe("flowlogs: unexpected error: TypeError: boom");
    expect(describeError(error, true)).toContain("at ");
    expect(describeError(new UsageError("bad"), true)).toBe("flowlogs: bad");
  });
});
