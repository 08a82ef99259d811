// `npm run bench [core|config|sweep …]`: every benchmark, each line printed as it is measured (progress on the long
// ones on stderr), then a summary table. Figures are measurements, not pass/fail tests.
// Each group gets its own moto: moto slows down as resources accumulate, so groups must not share one.
import { type MotoServer, startMoto } from "../tools/moto.js";
import { benchConfigPeriodic } from "./config-periodic.js";
import { benchBundleSizes, benchCallsPerEvent, benchColdInit } from "./core.js";
import { benchEventBurst } from "./event-burst.js";
import { benchOrgScale } from "./org-scale.js";
import { benchOrgSweep } from "./org-sweep.js";
import { benchPolicyLimits } from "./policy-limits.js";
import { type BenchReport, createBenchReport, summaryTable } from "./report.js";

const GROUPS = ["core", "policy", "events", "config", "sweep", "scale"] as const;

Object.assign(process.env, {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
});
const only = process.argv.slice(2);
const unknown = only.filter((group) => !(GROUPS as readonly string[]).includes(group));
if (unknown.length > 0) {
  console.error(`npm run bench: unknown group ${unknown.join(", ")} (groups: ${GROUPS.join(", ")})`);
  process.exit(2);
}
const wanted = (group: string) => only.length === 0 || only.includes(group);

const report = createBenchReport();
if (wanted("core")) {
  report.step("core: cold init, 21 fresh processes of each kind");
  benchColdInit(report);
  benchBundleSizes(report);
}
if (wanted("policy")) {
  report.step("policy: parsing at the size limit, refusing a 16 MB policy");
  benchPolicyLimits(report);
}
if (wanted("scale")) {
  // No moto: AWS is simulated in process, in simulated time (bench/org-scale.ts).
  report.step("scale: the org sweep against AWS simulated in process (BENCH_ORG_* in bench/org-scale.ts)");
  await benchOrgScale(report);
}
const groups: Array<[string, string, (endpoint: string, report: BenchReport) => Promise<void>]> = [
  ["core", "AWS calls per event", benchCallsPerEvent],
  ["events", "a burst of 50 DeleteFlowLogs through the event queue, 1,000 VPCs", benchEventBurst],
  [
    "config",
    "Config periodic evaluation of 2,000 VPCs (seeding takes minutes on a fresh moto)",
    benchConfigPeriodic,
  ],
  ["sweep", "org sweep: 5,000 VPCs, then 20 accounts × 2 regions (the longest group)", benchOrgSweep],
];
for (const [group, title, bench] of groups) {
  if (!wanted(group)) continue;
  report.step(`${group}: ${title}; starting moto`);
  const moto: MotoServer = await startMoto();
  try {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await bench(moto.endpoint, report);
  } finally {
    await moto.stop();
  }
}
console.log(`\n${summaryTable(report.rows)}`);
