import { describe, expect, it } from "vitest";
import { createProgress, renderProgressLine } from "../../src/cli/progress.js";

function stream(isTTY: boolean, columns = 60) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

describe("progress bar", () => {
  it("draws nothing when stderr is not a terminal", () => {
    const target = stream(false);

    const progress = createProgress(target, 3, "scanning");
    progress.tick("111111111111/eu-west-1");
    progress.done();

    expect(target.writes).toEqual([]);
  });

  it("redraws one line per finished item on a terminal and erases it at the end", () => {
    const target = stream(true);

    const progress = createProgress(target, 2, "scanning");
    progress.tick("111111111111/eu-west-1");
    progress.tick("111111111111/us-east-1");
    progress.done();

    expect(target.writes).toHaveLength(4);
    expect(target.writes[0]).toMatch(/^\rscanning \[-{20}\] 0\/2 /);
    expect(target.writes[1]).toMatch(/^\rscanning \[#{10}-{10}\] 1\/2 111111111111\/eu-west-1/);
    expect(target.writes[2]).toMatch(/^\rscanning \[#{20}\] 2\/2 111111111111\/us-east-1/);
    expect(target.writes[3]).toMatch(/^\r +\r$/);
  });

  it("never writes past the terminal width, so the line does not wrap", () => {
    const line = renderProgressLine("scanning", 1, 3, "x".repeat(200), 50);

    expect(line).toHaveLength(1 + 49);
  });
});
