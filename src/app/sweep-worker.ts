// SweepWorkerFunction's wiring: the engine's ports plus the coverage history (REPORT_BUCKET). A module of its own so
// only this function's bundle carries the history's on-demand S3 chunk.
import type { SweepWorkerPorts } from "../use-cases/sweep-account-region.js";
import { sdkClientConfig } from "./client-config.js";
import { readConfig } from "./config.js";
import { createEnforcer, type Enforcer } from "./enforcer.js";
import { reportHistory } from "./report-history.js";

/**
 * A hundred workers starting a sweep each describe the accounts they meet (the organization boundary), all out of
 * Organizations' one organization-wide request rate: fifteen adaptive attempts (backoff capped at 20 s a wait, well
 * within the worker's 15 minutes) let a lookup wait its turn instead of failing its account-regions. Measured at
 * 1,000 accounts and an assumed 10 requests/s: 5 attempts failed 2,063 account-regions, 10 failed 120, 15 failed 18.
 */
const SWEEP_ORGANIZATIONS_MAX_ATTEMPTS = 15;

export function sweepWorkerFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Enforcer & SweepWorkerPorts {
  const config = readConfig(env);
  const enforcer = createEnforcer({
    ...config,
    organizationsMaxAttempts: Math.max(config.maxAttempts, SWEEP_ORGANIZATIONS_MAX_ATTEMPTS),
  });
  const bucket = config.reportBucket;
  if (bucket === undefined) return enforcer;
  return { ...enforcer, history: reportHistory(bucket, sdkClientConfig(config)) };
}
