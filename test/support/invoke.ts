// Runs a built bundle exactly as `npm run invoke -- <LogicalId> -e … -n …` does (a fresh process = a cold start).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface InvokeOptions {
  /** Function environment overrides, in SAM's -n format for this function. */
  readonly env?: Record<string, string>;
  /** Extra process environment (e.g. AWS_ENDPOINT_URL of a call-counting proxy, other credentials). */
  readonly processEnv?: Record<string, string>;
}

export interface InvokeResult {
  readonly exitCode: number;
  /** Parsed stdout: the handler's result, or the error JSON when exitCode is 1. */
  readonly output: unknown;
  readonly stderr: string;
  /** Structured log lines found on stderr. */
  readonly logs: Array<Record<string, unknown>>;
}

export async function invokeFunction(
  logicalId: string,
  event: unknown,
  options: InvokeOptions = {},
): Promise<InvokeResult> {
  const dir = mkdtempSync(join(tmpdir(), "invoke-"));
  const eventPath = join(dir, "event.json");
  const envPath = join(dir, "env.json");
  writeFileSync(eventPath, JSON.stringify(event));
  writeFileSync(envPath, JSON.stringify({ [logicalId]: options.env ?? {} }));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/invoke.ts", logicalId, "-e", eventPath, "-n", envPath],
    { env: { ...process.env, ...options.processEnv }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exitCode = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  return { exitCode, output: parseJson(stdout.trim()), stderr, logs: jsonLines(stderr) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map(parseJson)
    .filter((value): value is Record<string, unknown> => typeof value === "object" && value !== null);
}
