// Every SDK client of the product is bounded in time: sdkClientConfig sets connection and request timeouts that
// the installed @smithy/node-http-handler really enforces, and every `new …Client(` in src/ is built from it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  sdkClientConfig,
} from "../../../src/app/client-config.js";
import { createEnforcer } from "../../../src/app/enforcer.js";
import { listenOnLoopback } from "../../support/loopback.js";
import { accountId, target } from "../support/builders.js";
import { fixturePath } from "../support/fixtures.js";

const HOME = "111111111111";
const MEMBER = "222222222222";
/** The shortest function timeout a client runs under that makes AWS calls in a loop (EventEnforcerFunction). */
const EVENT_ENFORCER_TIMEOUT_MS = 60_000;

describe("sdkClientConfig", () => {
  it("bounds every attempt well under the function timeout and makes a late answer an error, not a warning", () => {
    // Act
    const config = sdkClientConfig({ maxAttempts: 3, region: "eu-west-1" });

    // Assess
    expect(config).toEqual({
      retryMode: "adaptive",
      maxAttempts: 3,
      region: "eu-west-1",
      requestHandler: {
        connectionTimeout: DEFAULT_CONNECTION_TIMEOUT_MS,
        requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
        socketTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
      },
    });
    // Three attempts of a hung call still end before the event enforcer's timeout.
    expect(3 * DEFAULT_REQUEST_TIMEOUT_MS).toBeLessThan(EVENT_ENFORCER_TIMEOUT_MS);
  });

  it("takes other timeouts as options", () => {
    // Act
    const { requestHandler } = sdkClientConfig({ connectionTimeoutMs: 500, requestTimeoutMs: 2_000 });

    // Assess
    expect(requestHandler).toMatchObject({
      connectionTimeout: 500,
      requestTimeout: 2_000,
      socketTimeout: 2_000,
    });
  });

  it("hands the timeouts to the HTTP handler the SDK client resolves (the requestHandler shorthand works)", async () => {
    // Act
    const client = new EC2Client(sdkClientConfig({ region: "us-east-1", requestTimeoutMs: 1_234 }));

    // Assess
    expect(await handlerSettingsOf(client)).toMatchObject({
      connectionTimeout: DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: 1_234,
      throwOnRequestTimeout: true,
    });
    client.destroy();
  });
});

describe("a hung endpoint", () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it("fails the call with a TimeoutError once the request timeout passes, instead of waiting for ever", async () => {
    // Prepare: a loopback server that accepts the connection and never answers.
    server = createServer((socket) => {
      sockets.push(socket);
    });
    const port = await listenOnLoopback(server);
    const sts = new STSClient({
      ...sdkClientConfig({ region: "us-east-1", maxAttempts: 1, requestTimeoutMs: 200 }),
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    });

    // Act
    const call = sts.send(new GetCallerIdentityCommand({}));

    // Assess
    await expect(call).rejects.toMatchObject({ name: "TimeoutError" });
    sts.destroy();
  });
});

describe("the clients the wiring builds", () => {
  it("gives every per-account-region client (EC2, logs, Config, Security Hub, the doctor's) the timeouts", async () => {
    // Prepare
    const enforcer = createEnforcer({
      policySource: { kind: "file", path: fixturePath("policies/minimal-s3.json") },
      memberRoleName: "FlowLogEnforcerMemberRole",
      policyCacheTtlSeconds: 60,
      accountBoundary: { kind: "home-account" },
      organizationCacheTtlSeconds: 300,
      homeAccountId: accountId(HOME),
    });

    // Act
    const ec2 = await enforcer.accounts.ec2For(target(HOME));
    const factoryInput = await enforcer.accounts.clientFor("probe", target(MEMBER), (config) => config);

    // Assess
    expect(await handlerSettingsOf(ec2)).toMatchObject({
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
    expect(factoryInput.requestHandler).toEqual(sdkClientConfig().requestHandler);
    ec2.destroy();
  });

  it("builds every SDK client in src/ from sdkClientConfig's output", () => {
    // Act
    const constructions = sdkClientConstructions();

    // Assess
    const unbounded = constructions.filter((c) => !c.fromSdkClientConfig).map((c) => `${c.file}: ${c.code}`);
    expect(unbounded).toEqual([]);
    // The scan sees the clients it is meant to see (so an empty list above means something).
    expect(constructions.length).toBeGreaterThanOrEqual(20);
    expect(new Set(constructions.map((c) => c.file))).toEqual(
      new Set([
        "src/app/cli.ts",
        "src/app/enforcer.ts",
        "src/app/org-sweep.ts",
        "src/app/policy-audit.ts",
        "src/gateways/account-clients.ts",
        "src/gateways/config-gateway.ts",
        "src/gateways/log-groups-gateway.ts",
        "src/gateways/organizations-gateway.ts",
        "src/gateways/report-store.ts",
        "src/gateways/s3-objects.ts",
        "src/gateways/security-hub.ts",
        "src/gateways/sns-notifications.ts",
      ]),
    );
  });
});

/**
 * The settings the client's HTTP handler resolved from its requestHandler option. `configProvider` is the handler's
 * own (private) promise of them; read here because the handler exposes them publicly only after a first request.
 */
async function handlerSettingsOf(client: { config: { requestHandler: unknown } }): Promise<unknown> {
  return await Reflect.get(Object(client.config.requestHandler), "configProvider");
}

// --- The source scan ---

interface Construction {
  readonly file: string;
  readonly code: string;
  readonly fromSdkClientConfig: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const sources = new Map(sourceFiles("src").map((file) => [file, readFileSync(file, "utf-8")]));

/** The text of the parenthesized argument list that starts at `open` (the index of its "("), parens balanced. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === "(") depth += 1;
    if (text[i] === ")") depth -= 1;
    if (depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** Top-level comma-separated arguments. */
function splitArguments(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i += 1) {
    const c = args[i];
    if (c === "(" || c === "{" || c === "[") depth += 1;
    if (c === ")" || c === "}" || c === "]") depth -= 1;
    if (c === "," && depth === 0) {
      parts.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(args.slice(start).trim());
  return parts.filter((part) => part !== "");
}

/** The variable an argument's settings come from: `x`, `{ ...x, more }`. */
function rootOf(arg: string): string | undefined {
  return /^\{?\s*(?:\.\.\.)?([A-Za-z_$][\w$]*)/.exec(arg)?.[1];
}

/**
 * True when the argument is sdkClientConfig's output within its file: a call to it, a variable assigned from it,
 * a parameter typed SdkClientConfig (tsc checks the callers), or the config AccountClients hands its factories.
 */
function isBoundedLocally(text: string, at: number, arg: string): boolean {
  if (arg.includes("sdkClientConfig(")) return true;
  const root = rootOf(arg);
  if (root === undefined) return false;
  if (new RegExp(`\\b${root}\\s*=\\s*sdkClientConfig\\(`).test(text)) return true;
  if (new RegExp(`\\b${root}\\??:\\s*SdkClientConfig\\b`).test(text)) return true;
  const statement = text.slice(text.lastIndexOf(";", at) + 1, at);
  return statement.includes("clientFor(") && new RegExp(`\\(${root}\\)\\s*=>`).test(statement);
}

function insideImport(text: string, index: number): boolean {
  return [...text.matchAll(/import\s*(?:type\s*)?\{[^}]*\}\s*from\s*"[^"]+"/g)].some(
    (m) => (m.index ?? 0) <= index && index < (m.index ?? 0) + m[0].length,
  );
}

/** A gateway function building a client from its parameter: every caller in src/ must pass a bounded config. */
function isBoundedByCallers(text: string, at: number, arg: string): boolean {
  const root = rootOf(arg);
  const definitions = [...text.slice(0, at).matchAll(/export function (\w+)\(([^)]*)\)/g)];
  const enclosing = definitions.at(-1);
  if (root === undefined || enclosing === undefined) return false;
  const [, name = "", params = ""] = enclosing;
  const position = splitArguments(params).findIndex((param) => param.split(":")[0]?.trim() === root);
  if (position < 0) return false;
  const uses = [...sources].flatMap(([file, callerText]) =>
    [...callerText.matchAll(new RegExp(`\\b${name}\\b`, "g"))]
      .filter((use) => {
        const line = callerText.slice(callerText.lastIndexOf("\n", use.index) + 1, use.index);
        const comment = /^\s*(\/\/|\*|\/\*)/.test(line);
        return !comment && !line.startsWith("export function") && !insideImport(callerText, use.index ?? 0);
      })
      .map((use) => ({ file, callerText, index: use.index ?? 0 })),
  );
  return (
    uses.length > 0 &&
    uses.every(({ callerText, index }) => {
      const after = index + name.length;
      if (callerText[after] === "(") {
        const passed = splitArguments(argumentsAt(callerText, after))[position] ?? "";
        return isBoundedLocally(callerText, index, passed);
      }
      // Passed as a factory to AccountClients.clientFor, which hands it its bounded config.
      const statement = callerText.slice(callerText.lastIndexOf(";", index) + 1, index);
      return statement.includes("clientFor(");
    })
  );
}

/** Every `new XxxClient(` of an AWS SDK client class in src/, and whether its settings are sdkClientConfig's. */
function sdkClientConstructions(): Construction[] {
  return [...sources].flatMap(([file, text]) => {
    const sdkClasses = new Set(
      [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-[\w-]+"/g)].flatMap((m) =>
        (m[1] ?? "").split(",").map((name) => name.replace(/^\s*type\s+/, "").trim()),
      ),
    );
    const accountClients = [...text.matchAll(/new AccountClients\(/g)].map((m) => {
      const args = argumentsAt(text, (m.index ?? 0) + m[0].length - 1);
      const clientConfig = /clientConfig:\s*([^,\n]+)/.exec(args)?.[1] ?? "";
      return {
        file,
        code: `new AccountClients(… clientConfig: ${clientConfig})`,
        fromSdkClientConfig: isBoundedLocally(text, m.index ?? 0, clientConfig),
      };
    });
    const clients = [...text.matchAll(/new ([A-Z]\w*Client)\(/g)]
      .filter((m) => sdkClasses.has(m[1] ?? ""))
      .map((m) => {
        const at = m.index ?? 0;
        const arg = argumentsAt(text, at + m[0].length - 1);
        return {
          file,
          code: `${m[0]}${arg})`,
          fromSdkClientConfig: isBoundedLocally(text, at, arg) || isBoundedByCallers(text, at, arg),
        };
      });
    return [...accountClients, ...clients];
  });
}
