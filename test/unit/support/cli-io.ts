// A scripted terminal for CLI unit tests: records stdout, stderr and progress writes; answers prompts in order.
import type { CliIo } from "../../../src/cli/io.js";

export interface RecordingIo extends CliIo {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly progress: string[];
  readonly questions: string[];
}

export function recordingIo(
  options: {
    stdinIsTTY?: boolean;
    stderrIsTTY?: boolean;
    answers?: string[];
    env?: Record<string, string | undefined>;
  } = {},
): RecordingIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const progress: string[] = [];
  const questions: string[] = [];
  const answers = [...(options.answers ?? [])];
  return {
    stdout,
    stderr,
    progress,
    questions,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    progressStream: {
      isTTY: options.stderrIsTTY ?? false,
      columns: 80,
      write: (text: string) => progress.push(text),
    },
    stdinIsTTY: options.stdinIsTTY ?? false,
    ask: async (question) => {
      questions.push(question);
      return answers.shift() ?? "";
    },
    env: options.env ?? {},
  };
}
