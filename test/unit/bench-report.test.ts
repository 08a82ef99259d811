// `npm run bench` talks while it runs and ends with a table a 100-column terminal shows whole.
import { describe, expect, it } from "vitest";
import { type BenchRow, createBenchReport, ratioWords, summaryTable, wrap } from "../../bench/report.js";

/** The rows `npm run bench` printed on 2025-11 runs, longest names and values included. */
const ROWS: BenchRow[] = [
  {
    name: "cold init: node + event-enforcer bundle (median wall)",
    value: "61.3 ms (1.42× bare)",
    target: "≤ 2× bare",
    ok: true,
  },
  {
    name: "org sweep, 20 accounts × 2 regions × 50 VPCs: wall, 10 pre-started workers vs 1, bare moto (CPU-bound on 2 cores)",
    value: "41.20 s vs 21.70 s sequential (1.9× slower)",
    target: "-",
    ok: true,
  },
  {
    name: "org sweep, 1 account-region × 5,000 VPCs: AWS calls",
    value:
      "9 on moto (DescribeVpcs 1, DescribeSubnets 1, DescribeFlowLogs 1, CreateFlowLogs 5, GetCallerIdentity 1); 13 with AWS's 1000-item pages",
    target: "≤ 15",
    ok: false,
  },
];

function sink(isTTY = false) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } };
}

describe("ratioWords", () => {
  it("words a slowdown as slower and a speed-up as faster", () => {
    expect(ratioWords(21.7, 41.2)).toBe("1.9× slower");
    expect(ratioWords(41.2, 10.3)).toBe("4.0× faster");
  });
});

describe("summaryTable", () => {
  it("fits 100 columns, wrapping long cells within their column, and keeps every word", () => {
    const table = summaryTable(ROWS);

    const lines = table.split("\n");
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(lines[0]).toMatch(/^BENCHMARK\s+MEASURED\s+TARGET\s+MET$/);
    for (const row of ROWS)
      for (const word of `${row.name} ${row.value}`.split(/\s+/)) expect(table).toContain(word);
    expect(lines.find((line) => line.startsWith("org sweep, 1 account-region"))).toMatch(/≤ 15\s+NO$/);
  });
});

describe("createBenchReport", () => {
  it("prints each row when it is measured, with its verdict, and keeps it for the table", () => {
    const out = sink();
    const report = createBenchReport(out.stream, sink().stream, () => 65_000);

    report.row(ROWS[0] as BenchRow);

    expect(out.written).toEqual([
      "[00:00] cold init: node + event-enforcer bundle (median wall): 61.3 ms (1.42× bare) [target ≤ 2×\n        bare: met]\n",
    ]);
    expect(report.rows).toEqual([ROWS[0]]);
  });

  it("in a log, reports a long step's progress once per quarter rather than per unit", () => {
    const err = sink();
    const report = createBenchReport(sink().stream, err.stream, () => 0);

    for (let done = 0; done <= 5000; done += 250) report.progress("seeding VPCs", done, 5000);

    expect(err.written).toEqual([
      "[00:00] seeding VPCs: 0/5,000\n",
      "[00:00] seeding VPCs: 1,250/5,000\n",
      "[00:00] seeding VPCs: 2,500/5,000\n",
      "[00:00] seeding VPCs: 3,750/5,000\n",
      "[00:00] seeding VPCs: 5,000/5,000\n",
    ]);
  });

  it("on a terminal, redraws one progress line and ends it when done", () => {
    const err = sink(true);
    const report = createBenchReport(sink().stream, err.stream, () => 0);

    report.progress("loop", 1, 2);
    report.progress("loop", 2, 2);

    expect(err.written.join("")).toBe("\r[00:00] loop: 1/2\u001b[K\r[00:00] loop: 2/2\u001b[K\n");
  });
});

describe("wrap", () => {
  it("cuts a word longer than the width", () => {
    expect(wrap("abcdefgh ij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });
});
