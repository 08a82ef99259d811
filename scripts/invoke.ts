// `npm run invoke -- <FunctionLogicalId> -e events/x.json [-n env.json] [-t template.yaml]`:
// `sam local invoke` without Docker. Runs the built bundle (dist/<handler file>.mjs) with the template's
// environment and a Lambda-like context; result JSON on stdout, logs on stderr, exit 1 with the error JSON.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import lambdaLocal from "lambda-local";
import { findFunction, readTemplate } from "../tools/sam-template.js";

const usage =
  "usage: npm run invoke -- <FunctionLogicalId> -e <event.json> [-n <env.json>] [-t <template.yaml>]";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    event: { type: "string", short: "e" },
    "env-vars": { type: "string", short: "n" },
    template: { type: "string", short: "t", default: "template.yaml" },
  },
});
const logicalId = positionals[0];
if (!logicalId || !values.event) fail(usage);

const fn = findFunction(readTemplate(values.template ?? "template.yaml"), logicalId);
const overrides = values["env-vars"] ? envOverrides(values["env-vars"], logicalId) : {};
const event: unknown = JSON.parse(readFileSync(values.event, "utf-8"));
const [file, exportName = "handler"] = splitHandler(fn.handler);
const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
const accountId = process.env.AWS_ACCOUNT_ID ?? "123456789012";

// Like the Lambda runtime: the function's environment is set before its module is loaded (cold start).
Object.assign(process.env, fn.environment, overrides, {
  AWS_REGION: region,
  AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
});

// Everything the function prints is a log line: stdout is kept for the result alone.
const writeStdout = process.stdout.write.bind(process.stdout);
// process.exit does not wait for a pipe to drain: exit only once the result (a periodic Config run's is ~1 MB) is out.
const writeResultAndExit = (text: string, code: number) => writeStdout(text, () => process.exit(code));
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

const bundle = resolve("dist", `${file}.mjs`);
const module: Record<string, unknown> = await import(pathToFileURL(bundle).href).catch((error: unknown) => {
  fail(
    `cannot load ${bundle} (run npm run build first): ${error instanceof Error ? error.message : String(error)}`,
  );
});
try {
  const result: unknown = await lambdaLocal.execute({
    event,
    lambdaFunc: module,
    lambdaHandler: exportName,
    region,
    timeoutMs: fn.timeoutSeconds * 1000,
    verboseLevel: -1,
    contextOverwrite: (context: Record<string, unknown>) => {
      context.functionName = fn.logicalId;
      context.memoryLimitInMB = String(fn.memoryMb);
      context.invokedFunctionArn = `arn:aws:lambda:${region}:${accountId}:function:${fn.logicalId}`;
    },
  });
  writeResultAndExit(`${JSON.stringify(result ?? null)}\n`, 0);
} catch (error) {
  writeResultAndExit(`${JSON.stringify(toErrorJson(error))}\n`, 1);
}

/** Lambda's error shape. lambda-local rejects with that shape already; a thrown Error is converted. */
function toErrorJson(error: unknown): { errorType: string; errorMessage: string } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  if (typeof error === "object" && error !== null && "errorMessage" in error) {
    const { errorType, errorMessage } = error as { errorType?: unknown; errorMessage?: unknown };
    return { errorType: String(errorType ?? "Error"), errorMessage: String(errorMessage) };
  }
  return { errorType: "Error", errorMessage: String(error) };
}

function splitHandler(handler: string): [string, string | undefined] {
  const dot = handler.lastIndexOf(".");
  return dot < 0 ? [handler, undefined] : [handler.slice(0, dot), handler.slice(dot + 1)];
}

/** SAM's -n format: { "<LogicalId>": { "VAR": "value" } }, plus "Parameters" for every function. */
function envOverrides(path: string, id: string): Record<string, string> {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf-8"));
  const all =
    typeof parsed === "object" && parsed !== null ? (parsed as Record<string, Record<string, string>>) : {};
  return { ...(all.Parameters ?? {}), ...(all[id] ?? {}) };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
