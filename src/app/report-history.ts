// The coverage history's wiring (REPORT_BUCKET), shared by the sweep worker and the org sweep: a module of its own so
// the org sweep's bundle does not pull in the engine's wiring with it.
import type { RunHistoryPort } from "../use-cases/sweep-account-region.js";
import type { SdkClientConfig } from "./client-config.js";
import { onFirstUse } from "./on-first-use.js";

/** The report bucket, its S3 client imported on first write. */
export function reportHistory(bucket: string, clientConfig: SdkClientConfig): RunHistoryPort {
  const store = onFirstUse(async () =>
    (await import("../gateways/report-store.js")).connectReportStore(clientConfig, bucket),
  );
  return { put: async (key, body) => (await store()).put(key, body) };
}
