// `npm run invoke -- <FunctionLogicalId> -e events/x.json [--local] [-n env.json] [-t template.yaml]`:
// `sam local invoke` without Docker. Runs the built bundle (dist/<handler file>.mjs) as a cold start with the
// template's environment, a Lambda-like context and the -n overrides; result JSON on stdout, logs on stderr.
// --local runs it against moto (see tools/local-aws.ts); without it, against AWS_ENDPOINT_URL or real AWS.
// Exit codes: tools/invoke-options.ts EXIT (0 returned, 1 handler threw, 2 command or files, 3 machine setup).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Outcome } from "../src/engine/enforce.js";
import { outcomeWords } from "../src/engine/summary.js";
import {
  checkFunctionId,
  EXIT,
  InvokeError,
  parseInvokeArgs,
  readEnvFile,
  readEventText,
  USAGE,
} from "../tools/invoke-options.js";
import type { LocalAws } from "../tools/local-aws.js";
import {
  findFunction,
  functionIds,
  type LocalFunction,
  readTemplate,
  TemplateError,
} from "../tools/sam-template.js";

/** The default environment `--local` applies per function (SAM's -n format), before any -n file. */
const LOCAL_ENV_FILE = "env.example.json";

const HELP = `usage: ${USAGE}

  -e <event.json>     the event (samples in events/, see events/README.md)
  --local             run against moto: the one at AWS_ENDPOINT_URL, else a moto_server started for this
                      invocation and stopped at its end; seeds the resources the event names (rewriting its
                      IDs), creates the queues, organization, buckets and log groups the function needs, and
                      applies ${LOCAL_ENV_FILE} (per-function environment, SAM's -n format)
  -n <env.json>       environment overrides, SAM's -n format: {"<FunctionLogicalId>": {"VAR": "value"},
                      "Parameters": {…for every function…}}; applied after ${LOCAL_ENV_FILE}
  -t <template.yaml>  the SAM template (default template.yaml)

exit codes: 0 the handler returned; 1 the handler threw (Lambda's error JSON on stdout);
  2 the command cannot run as typed (option, function, event or env file, a variable only a deployed stack
  provides); 3 this machine is not set up (no build: npm run build; no moto_server: pip install 'moto[server]')
`;

const say = (line: string) => process.stderr.write(`invoke: ${line}\n`);
// Everything the function prints is a log line: stdout is kept for the result alone.
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

let local: LocalAws | undefined;
let exitCode: number;
let output = "";
try {
  ({ exitCode, output } = await invoke(process.argv.slice(2)));
} catch (error) {
  if (error instanceof InvokeError) exitCode = error.exitCode;
  else if (error instanceof TemplateError) exitCode = EXIT.usage;
  else exitCode = EXIT.setup;
  const message = error instanceof Error ? error.message : String(error);
  say(
    error instanceof InvokeError || error instanceof TemplateError ? message : `unexpected error: ${message}`,
  );
} finally {
  await local?.stop();
}
// process.exit does not wait for a pipe to drain: exit only once the result (a periodic Config run's is ~1 MB) is out.
writeStdout(output, () => process.exit(exitCode));

async function invoke(argv: readonly string[]): Promise<{ exitCode: number; output: string }> {
  const options = parseInvokeArgs(argv);
  if (options.help) return { exitCode: EXIT.ok, output: HELP };

  const template = readTemplate(options.templatePath);
  const functions = functionIds(template);
  checkFunctionId(options.logicalId, functions);
  const fn = findFunction(template, options.logicalId);
  let eventText = readEventText(options.eventPath);
  const overrides = {
    ...(options.local
      ? readEnvFile(
          LOCAL_ENV_FILE,
          fn.logicalId,
          functions,
          say,
          "it ships with the repository: git checkout env.example.json",
        )
      : {}),
    ...(options.envPath === undefined ? {} : readEnvFile(options.envPath, fn.logicalId, functions, say)),
  };
  const [file, exportName = "handler"] = splitHandler(fn.handler);
  const bundle = resolve("dist", `${file}.mjs`);
  if (!existsSync(bundle))
    throw new InvokeError(`${bundle} does not exist: run npm run build first`, EXIT.setup);
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1";
  // moto's account for unknown access keys; a deployed function learns its own from its ARN.
  const accountId = process.env.AWS_ACCOUNT_ID ?? "123456789012";

  const unresolved = Object.fromEntries(
    Object.entries(fn.references).filter(([name]) => !(name in overrides)),
  );
  if (options.local) {
    // Imported only here: its SDK clients would add a second to every invocation that does not need them.
    const {
      connectLocalAws,
      createPolicyDestinations,
      createReferencedQueues,
      ensureOrganization,
      namedResources,
      rewriteIds,
      seedNamedResources,
    } = await import("../tools/local-aws.js");
    local = await connectLocalAws(process.env, say);
    Object.assign(overrides, await createReferencedQueues(unresolved, local.endpoint, region, say));
    // The coordinator lists the organization; ORGANIZATION_CHECK=on asks it about every account.
    const checksOrganization = /^(on|true)$/i.test(
      overrides.ORGANIZATION_CHECK ?? fn.environment.ORGANIZATION_CHECK ?? "",
    );
    if ("SWEEP_QUEUE_URL" in fn.environment || checksOrganization)
      await ensureOrganization(local.endpoint, say);
    const ids = await seedNamedResources(namedResources(file, JSON.parse(eventText)), local.endpoint, say);
    eventText = rewriteIds(eventText, ids);
    const policySource = overrides.POLICY_SOURCE ?? fn.environment.POLICY_SOURCE;
    await createPolicyDestinations(policySource, local.endpoint, region, say);
  }
  for (const name of fn.optionalVariables)
    if (name in fn.references && !(name in overrides)) {
      overrides[name] = "";
      say(
        `${name} is left empty: it names ${fn.references[name]?.logicalId}, which ${fn.logicalId} can run without`,
      );
    }
  refuseUnresolved(fn, overrides, options.local);

  // Like the Lambda runtime: the function's environment is set before its module is loaded (a cold start, which
  // Powertools learns from AWS_LAMBDA_INITIALIZATION_TYPE).
  Object.assign(process.env, fn.environment, overrides, {
    AWS_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
  });
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(bundle).href);
  } catch (error) {
    // The function's own code failed while loading (its configuration is read at cold start): a function error.
    say(`${fn.logicalId} failed at cold start (Lambda reports this as an init error)`);
    return { exitCode: EXIT.handlerError, output: `${JSON.stringify(toErrorJson(error))}\n` };
  }
  const lambdaLocal = await import("lambda-local");
  try {
    const result: unknown = await lambdaLocal.execute({
      event: JSON.parse(eventText),
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
    const summary = summaryOf(result);
    if (summary !== undefined) say(`${fn.logicalId}: ${summary}`);
    return { exitCode: EXIT.ok, output: `${JSON.stringify(result ?? null)}\n` };
  } catch (error) {
    return { exitCode: EXIT.handlerError, output: `${JSON.stringify(toErrorJson(error))}\n` };
  }
}

/**
 * A variable that names a template resource (`!Ref SweepQueue`) has no value outside a deployed stack unless an env
 * file or --local gave it one: say so instead of letting the function fail on the logical ID.
 */
function refuseUnresolved(fn: LocalFunction, overrides: Record<string, string>, local: boolean): void {
  const [name, reference] =
    Object.entries(fn.references).find(([variable]) => !(variable in overrides)) ?? [];
  if (name === undefined || reference === undefined) return;
  const how = local
    ? `--local creates only queues and tables (${reference.type} is neither)`
    : "add --local to create it in moto";
  throw new InvokeError(
    `${name} is !Ref ${reference.logicalId} (${reference.type}), which exists only in a deployed stack: set it with -n env.json ({"${fn.logicalId}": {"${name}": "…"}}), or ${how}`,
  );
}

/** The words every report uses for an enforcement result (event, remediation): resources and flow logs apart. */
function summaryOf(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  if ("ignored" in result && typeof result.ignored === "string") return `event ignored: ${result.ignored}`;
  if ("batchItemFailures" in result && Array.isArray(result.batchItemFailures))
    return result.batchItemFailures.length === 0
      ? "every record of the batch handled (none to redeliver)"
      : `${result.batchItemFailures.length} record(s) returned to the queue for redelivery`;
  if (!("outcomes" in result) || !Array.isArray(result.outcomes)) return undefined;
  const outcomes: Outcome[] = result.outcomes;
  return outcomeWords(outcomes);
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
