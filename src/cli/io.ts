// The CLI's terminal: command output (tables, JSON, CSV) to stdout, everything else to stderr, answers from stdin.
import { createInterface } from "node:readline/promises";

/** Where the progress bar draws: a stream that may be a terminal. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface CliIo {
  /** Command output: the only thing that reaches stdout, so it can be piped into jq or a spreadsheet. */
  out(text: string): void;
  /** Messages, warnings, summaries, prompts. */
  err(text: string): void;
  /** stderr itself, for the progress bar (drawn only when it is a terminal). */
  readonly progressStream: ProgressStream;
  /** Whether someone can answer a question: stdin is a terminal. */
  readonly stdinIsTTY: boolean;
  /** Asks on stderr and reads one line from stdin. */
  ask(question: string): Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The process's terminal. `writeStdout` is the real stdout, kept aside before stdout is redirected to stderr. */
export function processIo(writeStdout: (text: string) => unknown): CliIo {
  return {
    out: (text) => writeStdout(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    progressStream: process.stderr,
    stdinIsTTY: process.stdin.isTTY === true,
    ask: async (question) => {
      const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      try {
        return await prompt.question(question);
      } finally {
        prompt.close();
      }
    },
    env: process.env,
  };
}
