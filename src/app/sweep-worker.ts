// SweepWorkerFunction's wiring: the engine's ports plus the coverage history (REPORT_BUCKET). A module of its own so
// only this function's bundle carries the history's on-demand S3 chunk.
import type { SweepWorkerPorts } from "../use-cases/sweep-account-region.js";
import { sdkClientConfig } from "./client-config.js";
import { readConfig } from "./config.js";
import { createEnforcer, type Enforcer } from "./enforcer.js";
import { reportHistory } from "./report-history.js";

export function sweepWorkerFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Enforcer & SweepWorkerPorts {
  const config = readConfig(env);
  const enforcer = createEnforcer(config);
  const bucket = config.reportBucket;
  if (bucket === undefined) return enforcer;
  return { ...enforcer, history: reportHistory(bucket, sdkClientConfig(config)) };
}
