// What the policy size limit buys (issue 15): parsing a policy at the limit vs refusing a 16 MB one, in this process.
// A 16 MB policy once took 60 s and 1.39 GB to parse; now it is refused before the YAML parser sees it.
import { PolicyValidationError } from "../src/errors.js";
import { MAX_POLICY_BYTES, parsePolicy } from "../src/policy/parse.js";
import type { BenchReport } from "./report.js";

/** Distinct rules (each its own account, tag and bucket) until `bytes` is reached. */
function policyOf(bytes: number): string {
  let text = `version: 1\ndefaults:\n  destination: { type: s3, arn: "arn:\${Partition}:s3:::central/\${AccountId}/" }\nrules:\n`;
  for (let i = 0; ; i += 1) {
    const rule = `  - name: rule-${i}\n    match: { accounts: ["${String(100_000_000_000 + i)}"], tags: { team: t${i} } }\n    destination: { type: s3, arn: "arn:aws:s3:::bucket-${i}/\${AccountId}/" }\n`;
    if (Buffer.byteLength(text + rule) > bytes) return text;
    text += rule;
  }
}

function measure(run: () => void, runs: number): { ms: number; heapMb: number } {
  const times: number[] = [];
  let heap = 0;
  for (let i = 0; i < runs; i += 1) {
    const before = process.memoryUsage().heapUsed;
    const start = performance.now();
    run();
    times.push(performance.now() - start);
    heap = Math.max(heap, (process.memoryUsage().heapUsed - before) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] ?? Number.NaN, heapMb: heap };
}

export function benchPolicyLimits(report: BenchReport): void {
  const atLimit = policyOf(MAX_POLICY_BYTES);
  const rules = atLimit.split("- name:").length - 1;
  parsePolicy(atLimit, "warm-up");
  const parsed = measure(() => parsePolicy(atLimit, "bench"), 7);
  const huge = `${atLimit}# ${"x".repeat(16 * 1024 * 1024)}\n`;
  const refused = measure(() => {
    try {
      parsePolicy(huge, "bench");
    } catch (error) {
      if (!(error instanceof PolicyValidationError)) throw error;
    }
  }, 7);
  report.row({
    name: `policy at the 64 KiB limit (${rules} rules): parse (median)`,
    value: `${parsed.ms.toFixed(0)} ms, heap +${parsed.heapMb.toFixed(1)} MB`,
    target: "fits a 256 MB function",
    ok: parsed.heapMb < 128,
  });
  report.row({
    name: "16 MB policy: refused before parsing (median)",
    value: `${refused.ms.toFixed(1)} ms`,
    target: "-",
    ok: true,
  });
}
