// `npm run bench`: every benchmark, printed as one table. Figures are measurements, not pass/fail tests.
import { startMoto } from "../src/local/moto.js";
import { type BenchRow, benchBundleSizes, benchCallsPerEvent, benchColdInit } from "./core.js";

Object.assign(process.env, {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
});
const rows: BenchRow[] = [...benchColdInit(), ...benchBundleSizes()];
const moto = await startMoto();
try {
  rows.push(...(await benchCallsPerEvent(moto.endpoint)));
} finally {
  await moto.stop();
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
