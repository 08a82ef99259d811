// `npm run invoke`'s command line and the files it names (event, SAM -n environment files), read into typed options;
// every problem is one InvokeError line that says what is wrong and what to do.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { closest } from "../src/cli/regions.js";

export const USAGE =
  "npm run invoke -- <FunctionLogicalId> -e <event.json> [--local] [-n <env.json>] [-t <template.yaml>]";

/**
 * Exit codes of `npm run invoke` (README, "Run a function locally"):
 * 0 the handler returned (its result on stdout); 1 the handler threw, at cold start or in the invocation (Lambda's
 * error JSON on stdout); 2 the command cannot run as typed (option, function ID, event or env file, an environment
 * variable only a deployed stack provides); 3 this machine is not set up for it (no build, no moto_server).
 */
export const EXIT = { ok: 0, handlerError: 1, usage: 2, setup: 3 } as const;

/** What stops an invocation before the handler runs: one line, and the exit code it maps to. */
export class InvokeError extends Error {
  override name = "InvokeError";

  constructor(
    message: string,
    readonly exitCode: 2 | 3 = EXIT.usage,
  ) {
    super(message);
  }
}

export interface InvokeOptions {
  readonly logicalId: string;
  readonly eventPath: string;
  readonly envPath?: string;
  readonly templatePath: string;
  /** Run against moto: AWS_ENDPOINT_URL's when it is one, else an embedded moto_server started for this run. */
  readonly local: boolean;
  readonly help: boolean;
}

export function parseInvokeArgs(argv: readonly string[]): InvokeOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new InvokeError(`${argumentProblem(error)}; usage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  const [logicalId, ...extra] = positionals;
  if (!help) {
    if (logicalId === undefined) throw new InvokeError(`name the function to invoke; usage: ${USAGE}`);
    if (extra.length > 0)
      throw new InvokeError(
        `unexpected argument "${extra[0]}" (one function per invocation); usage: ${USAGE}`,
      );
    if (values.event === undefined)
      throw new InvokeError(`-e <event.json> is required (sample events are in events/); usage: ${USAGE}`);
  }
  return {
    logicalId: logicalId ?? "",
    eventPath: values.event ?? "",
    ...(values["env-vars"] === undefined ? {} : { envPath: values["env-vars"] }),
    templatePath: values.template ?? "template.yaml",
    local: values.local ?? false,
    help,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      event: { type: "string", short: "e" },
      "env-vars": { type: "string", short: "n" },
      template: { type: "string", short: "t" },
      local: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** node:util's parseArgs messages run to several sentences; the option at fault is what a user needs. */
function argumentProblem(error: unknown): string {
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'([^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option ?? message}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return `option ${option ?? ""} needs a value`.trim();
  return message.split("\n")[0] ?? message;
}

/** The function a logical ID names, or an InvokeError listing the functions (with the nearest as a hint). */
export function checkFunctionId(logicalId: string, functions: readonly string[]): void {
  if (functions.includes(logicalId)) return;
  const guess = closest(logicalId, functions);
  throw new InvokeError(
    `${logicalId} is not a function in the template${guess === undefined ? "" : ` (did you mean ${guess}?)`}; functions: ${functions.join(", ")}`,
  );
}

/** The event file's text, checked to be JSON. */
export function readEventText(path: string): string {
  const text = readText(path, "the event", "the sample events are in events/, see events/README.md");
  parseJson(text, path);
  return text;
}

/**
 * An environment file in SAM's -n format — `{ "<FunctionLogicalId>": { "VAR": "value" }, "Parameters": { … } }`,
 * Parameters applying to every function — reduced to the variables for `logicalId` (its own win). Keys that name
 * no function are reported through `warn`, since a typo there would otherwise be silently ignored.
 */
export function readEnvFile(
  path: string,
  logicalId: string,
  functions: readonly string[],
  warn: (line: string) => void,
  hint = "copy env.example.json to env.json and edit it, or leave out -n",
): Record<string, string> {
  const parsed = parseJson(readText(path, "the environment file", hint), path);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new InvokeError(
      `${path} must be a JSON object in SAM's -n format: {"${logicalId}": {"VAR": "value"}, "Parameters": {…}}`,
    );
  const sections = new Map(Object.entries(parsed));
  for (const key of sections.keys()) {
    if (key === "Parameters" || functions.includes(key)) continue;
    const guess = closest(key, functions);
    warn(
      `${path}: "${key}" is not a function in the template${guess ? ` (did you mean ${guess}?)` : ""}; ignored`,
    );
  }
  return {
    ...variablesOf(path, "Parameters", sections.get("Parameters")),
    ...variablesOf(path, logicalId, sections.get(logicalId)),
  };
}

function variablesOf(path: string, key: string, section: unknown): Record<string, string> {
  if (section === undefined) return {};
  const problem = `${path}: "${key}" must map variable names to strings, e.g. {"POLICY_SOURCE": "file:examples/policy.yaml"}`;
  if (typeof section !== "object" || section === null || Array.isArray(section))
    throw new InvokeError(problem);
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(section)) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
      throw new InvokeError(`${problem} (${name} is ${value === null ? "null" : typeof value})`);
    variables[name] = String(value);
  }
  return variables;
}

function readText(path: string, what: string, hint: string): string {
  try {
    return readFileSync(path, "utf-8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    if (code === "ENOENT") throw new InvokeError(`${path}: no such file (${what}; ${hint})`);
    if (code === "EISDIR") throw new InvokeError(`${path} is a directory, not ${what}`);
    throw new InvokeError(`cannot read ${what} ${path}: ${error instanceof Error ? error.message : error}`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvokeError(`${path} is not valid JSON: ${error instanceof Error ? error.message : error}`);
  }
}
