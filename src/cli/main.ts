// `flowlogs` entry point (bundled to dist/cli.mjs). Keeps stdout for the command's output alone, then loads the
// commands: the engine's Powertools logger and metrics read their settings when their module loads.

const argv = process.argv.slice(2);
const verbose = argv.includes("--verbose");

// The engine logs one JSON line per outcome and counts EMF metrics, both on stdout, made for Lambda. Here the
// logs are silent unless --verbose, metrics are never emitted, and anything else written to process.stdout
// (those logs included) goes to stderr, so `--format json | jq` always gets clean JSON.
process.env.POWERTOOLS_LOG_LEVEL = verbose ? (process.env.POWERTOOLS_LOG_LEVEL ?? "INFO") : "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED = "true";
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);

const { runCli } = await import("./run-cli.js");
const { processIo } = await import("./io.js");
process.exitCode = await runCli(
  argv.filter((arg) => arg !== "--verbose"),
  processIo((text) => writeStdout(text)),
  verbose,
);
