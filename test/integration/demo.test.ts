// `npm start` is one of the two commands a newcomer runs: it must keep working and end with everything covered.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("npm start (scripts/demo.ts)", () => {
  it("runs the sample events through the built bundle and leaves every resource compliant or exempt", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      encoding: "utf-8",
      timeout: 120_000,
    });

    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout.split("\n").filter((line) => /^(VPC|Subnet)\s/.test(line));
    const after = rows.map((row) => row.split(/\s{2,}/)[3]);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.some((row) => row.includes("NOT COVERED"))).toBe(true);
    expect(after.filter((state) => state !== "compliant" && state !== "exempt")).toEqual([]);
    expect(run.stdout).toContain("sam local invoke EventEnforcerFunction -e events/flow-log-deleted.json");
  });
});
