// A one-line progress bar on stderr for long scans; nothing at all when stderr is not a terminal (CI, pipes).
import type { ProgressStream } from "./io.js";

export interface Progress {
  /** One more item finished; `label` names it. */
  tick(label: string): void;
  /** Erases the bar so the next message starts on a clean line. */
  done(): void;
}

const NO_PROGRESS: Progress = { tick: () => {}, done: () => {} };

export function createProgress(stream: ProgressStream, total: number, title: string): Progress {
  if (stream.isTTY !== true || total === 0) return NO_PROGRESS;
  let finished = 0;
  // A pseudo-terminal without a size reports 0 columns.
  const width = () => (stream.columns !== undefined && stream.columns >= 40 ? stream.columns : 80);
  stream.write(renderProgressLine(title, 0, total, "", width()));
  return {
    tick: (label) => {
      finished += 1;
      stream.write(renderProgressLine(title, finished, total, label, width()));
    },
    done: () => {
      stream.write(`\r${" ".repeat(Math.max(0, width() - 1))}\r`);
    },
  };
}

/** `\r<title> [#####-----] 3/10 label`, cut to the terminal width so it never wraps. */
export function renderProgressLine(
  title: string,
  finished: number,
  total: number,
  label: string,
  columns: number,
): string {
  const barWidth = 20;
  const filled = total === 0 ? barWidth : Math.round((finished / total) * barWidth);
  const bar = `${"#".repeat(filled)}${"-".repeat(barWidth - filled)}`;
  const line = `${title} [${bar}] ${finished}/${total} ${label}`.slice(0, Math.max(0, columns - 1));
  return `\r${line.padEnd(Math.max(0, columns - 1))}`;
}
