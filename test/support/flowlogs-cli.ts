// Runs the built `flowlogs` CLI (dist/cli.mjs) as a user would, against the run's moto: a clean environment with
// moto's endpoint and dummy keys (account 123456789012), a HOME without ~/.aws, no instance metadata.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const CLI = resolve("dist/cli.mjs");
const emptyHome = mkdtempSync(join(tmpdir(), "flowlogs-home-"));

/** `env` entries set to undefined are removed. */
export function runFlowlogs(
  endpoint: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: emptyHome,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_MAX_ATTEMPTS: "2",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const merged = Object.fromEntries(
    Object.entries({ ...base, ...env }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const child = spawn(process.execPath, [CLI, ...args], { env: merged, stdio: ["ignore", "pipe", "pipe"] });
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
