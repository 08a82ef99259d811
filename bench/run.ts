// `npm run bench`: every benchmark, printed as one table. Figures are measurements, not pass/fail tests.
// Each group gets its own moto: moto slows down as resources accumulate, so groups must not share one.
import { type MotoServer, startMoto } from "../tools/moto.js";
import { benchConfigPeriodic } from "./config-periodic.js";
import { type BenchRow, benchBundleSizes, benchCallsPerEvent, benchColdInit } from "./core.js";
import { benchOrgSweep } from "./org-sweep.js";
import { benchPolicyLimits } from "./policy-limits.js";

Object.assign(process.env, {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
});
const only = process.argv.slice(2);
const wanted = (group: string) => only.length === 0 || only.includes(group);

const rows: BenchRow[] = [];
if (wanted("core")) rows.push(...benchColdInit(), ...benchBundleSizes());
if (wanted("policy")) rows.push(...benchPolicyLimits());
const groups: Array<[string, (endpoint: string) => Promise<BenchRow[]>]> = [
  ["core", benchCallsPerEvent],
  ["config", benchConfigPeriodic],
  ["sweep", benchOrgSweep],
];
for (const [group, bench] of groups) {
  if (!wanted(group)) continue;
  const moto: MotoServer = await startMoto();
  try {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    rows.push(...(await bench(moto.endpoint)));
  } finally {
    await moto.stop();
  }
}
printTable(rows);

function printTable(table: readonly BenchRow[]): void {
  const header = ["BENCHMARK", "MEASURED", "TARGET", "MET"];
  const cells = table.map((row) => [
    row.name,
    row.value,
    row.target,
    row.target === "-" ? "" : row.ok ? "yes" : "NO",
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((row) => (row[i] ?? "").length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  console.log([line(header), ...cells.map(line)].join("\n"));
}
