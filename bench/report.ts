// How `npm run bench` talks: each benchmark's line the moment it is measured, progress on long steps (stderr), and at
// the end a summary table that fits 100 columns. Ratios are worded by which side is faster, never as "0.5× faster".

export interface BenchRow {
  readonly name: string;
  readonly value: string;
  readonly target: string;
  readonly ok: boolean;
}

export interface BenchReport {
  /** Prints the row now and keeps it for the summary table. */
  row(row: BenchRow): void;
  /** What is running now, for a step that takes a while. */
  step(label: string): void;
  /** `done` of `total` units of a long step (seeding thousands of VPCs, a per-resource loop). */
  progress(label: string, done: number, total: number): void;
  readonly rows: readonly BenchRow[];
}

export const TABLE_WIDTH = 100;

interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Rows go to `out` (stdout), steps and progress to `err` (stderr). On a terminal progress redraws one line; in a log
 * it prints a line per quarter done, or when 30 s passed since the last one, so a long step is never silent.
 */
export function createBenchReport(
  out: Output = process.stdout,
  err: Output = process.stderr,
  now: () => number = () => performance.now(),
): BenchReport {
  const started = now();
  const rows: BenchRow[] = [];
  let open = false; // a progress line is being redrawn on the terminal
  const last = new Map<string, { quarter: number; at: number }>();
  const clock = () => {
    const seconds = Math.round((now() - started) / 1000);
    return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
  };
  const closeProgress = () => {
    if (open) err.write("\n");
    open = false;
  };
  return {
    rows,
    row(row) {
      closeProgress();
      rows.push(row);
      const verdict = row.target === "-" ? "" : ` [target ${row.target}: ${row.ok ? "met" : "NOT MET"}]`;
      out.write(`${wrap(`[${clock()}] ${row.name}: ${row.value}${verdict}`, TABLE_WIDTH, 8).join("\n")}\n`);
    },
    step(label) {
      closeProgress();
      err.write(`[${clock()}] ${label} …\n`);
    },
    progress(label, done, total) {
      if (total === 0) return;
      const text = `[${clock()}] ${label}: ${done.toLocaleString("en")}/${total.toLocaleString("en")}`;
      if (err.isTTY) {
        err.write(`\r${text}\u001b[K`);
        open = done < total;
        if (!open) err.write("\n");
        return;
      }
      const quarter = Math.floor((4 * done) / Math.max(total, 1));
      const previous = last.get(label);
      if (previous !== undefined && quarter === previous.quarter && now() - previous.at < 30_000) return;
      last.set(label, { quarter, at: now() });
      err.write(`${text}\n`);
    },
  };
}

/** "1.9× slower" / "3.2× faster": how `measured` compares with `baseline` (durations, lower is faster). */
export function ratioWords(baseline: number, measured: number): string {
  if (measured <= baseline) return `${(baseline / measured).toFixed(1)}× faster`;
  return `${(measured / baseline).toFixed(1)}× slower`;
}

const HEADER: BenchRow = { name: "BENCHMARK", value: "MEASURED", target: "TARGET", ok: true };

/**
 * BENCHMARK | MEASURED | TARGET | MET, each cell wrapped within its column so no line is wider than `width`. The
 * target and MET columns take what they need; the name and the measurement share the rest.
 */
export function summaryTable(rows: readonly BenchRow[], width = TABLE_WIDTH): string {
  const gap = 2;
  const met = (row: BenchRow) => (row === HEADER ? "MET" : row.target === "-" ? "" : row.ok ? "yes" : "NO");
  const targetWidth = Math.min(14, Math.max(HEADER.target.length, ...rows.map((row) => row.target.length)));
  const metWidth = 3;
  const rest = width - targetWidth - metWidth - 3 * gap;
  const longestName = Math.max(...rows.map((row) => row.name.length), HEADER.name.length);
  const nameWidth = Math.min(longestName, Math.floor(rest * 0.45));
  const valueWidth = rest - nameWidth;
  const widths = [nameWidth, valueWidth, targetWidth, metWidth];
  const lines: string[] = [];
  for (const row of [HEADER, ...rows]) {
    const cells = [row.name, row.value, row.target, met(row)].map((cell, i) => wrap(cell, widths[i] ?? 1));
    const height = Math.max(...cells.map((cell) => cell.length));
    for (let line = 0; line < height; line += 1)
      lines.push(
        cells
          .map((cell, i) => (cell[line] ?? "").padEnd(widths[i] ?? 0))
          .join(" ".repeat(gap))
          .trimEnd(),
      );
  }
  return lines.join("\n");
}

/** Word-wraps `text` to `width` columns (a word longer than that is cut); later lines indented by `indent`. */
export function wrap(text: string, width: number, indent = 0): string[] {
  const lines: string[] = [];
  let line = "";
  const limit = () => (lines.length === 0 ? width : width - indent);
  const push = () => {
    lines.push(lines.length === 0 ? line : `${" ".repeat(indent)}${line}`);
    line = "";
  };
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > 0) {
      const room = limit() - (line === "" ? 0 : line.length + 1);
      if (rest.length <= room) {
        line = line === "" ? rest : `${line} ${rest}`;
        rest = "";
      } else if (line !== "") push();
      else {
        line = rest.slice(0, limit());
        rest = rest.slice(limit());
        push();
      }
    }
  }
  if (line !== "" || lines.length === 0) push();
  return lines;
}
