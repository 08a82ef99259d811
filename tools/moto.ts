// Lifecycle of a local moto_server process: a free loopback port in, a ready endpoint and its controls out.
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { findFreePort } from "./loopback.js";

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** SIGTERM, then SIGKILL if moto has not exited after 3 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

// Idle, moto answers in about 0.3 s; on a loaded 2-core machine a Python start can take many seconds.
const READY_TIMEOUT_MS = 120_000;
const POLL_INTERVAL_MS = 50;
const KILL_GRACE_MS = 3_000;
const OUTPUT_LIMIT = 16_384;
// Another process can take the probed port before moto binds it; a fresh port usually fixes that.
const START_ATTEMPTS = 3;

/** Starts `moto_server` on a free 127.0.0.1 port and resolves once it answers HTTP. */
export async function startMoto(): Promise<MotoServer> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    try {
      return await startMotoOnPort(await findFreePort());
    } catch (error) {
      if (!(error instanceof MotoStartError) || !error.portTaken) {
        throw error;
      }
      lastError = error;
    }
  }
  throw lastError;
}

/** Clears all moto state (every service, account and region). */
export async function resetMoto(endpoint: string): Promise<void> {
  await postMotoApi(endpoint, "reset");
}

/** Turns moto's IAM authorization on (requests are checked against IAM policies) or off. */
export async function setMotoAuth(endpoint: string, on: boolean): Promise<void> {
  // moto parses the raw body as a float: the number of requests allowed before auth applies.
  await postMotoApi(endpoint, "reset-auth", on ? "0" : "inf");
}

class MotoStartError extends Error {
  readonly portTaken: boolean;

  constructor(message: string, output: string) {
    super(output.trim() === "" ? message : `${message}\n--- moto_server output ---\n${output.trim()}`);
    this.name = "MotoStartError";
    this.portTaken = output.includes("Address already in use");
  }
}

async function startMotoOnPort(port: number): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    detached: false,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  const output = captureOutput(child);
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) =>
      resolve(`moto_server exited with ${signal ?? `code ${String(code)}`}`),
    );
    child.once("error", (error) => {
      resolve(
        "code" in error && error.code === "ENOENT"
          ? "moto_server not found on PATH: install with `pip install 'moto[server]'`"
          : `moto_server could not be spawned: ${error.message}`,
      );
    });
  });
  // A crashed test runner must not leave moto listening.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const polling = new AbortController();
  const failure = await Promise.race([waitUntilReady(endpoint, polling.signal), exited]);
  polling.abort();
  if (failure !== undefined) {
    process.off("exit", killOnExit);
    await terminate(child);
    throw new MotoStartError(failure, output());
  }

  return {
    endpoint,
    port,
    stop: async () => {
      process.off("exit", killOnExit);
      await terminate(child);
    },
  };
}

/** Resolves undefined once moto answers, else why not (READY_TIMEOUT_MS passed or polling was cancelled). */
async function waitUntilReady(endpoint: string, cancelled: AbortSignal): Promise<string | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !cancelled.aborted) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.ok) {
        return undefined;
      }
    } catch {
      // Not listening yet.
    }
    await sleep(POLL_INTERVAL_MS);
  }
  return `moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS} ms`;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  await exited;
  clearTimeout(killTimer);
}

/**
 * Keeps the last OUTPUT_LIMIT characters of stdout and stderr for error messages; draining the pipes also
 * keeps moto, which logs every request, from blocking on a full pipe.
 */
function captureOutput(child: ChildProcess): () => string {
  let buffer = "";
  const append = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => buffer;
}

async function postMotoApi(endpoint: string, path: string, body?: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/${path}`, {
    method: "POST",
    ...(body === undefined ? {} : { body, headers: { "content-type": "text/plain" } }),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`POST /moto-api/${path} failed with HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
}
