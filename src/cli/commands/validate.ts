// `flowlogs validate <policy>`: the policy's problems with line, column and field path (exit 1), or a summary (exit 0).
import { readCliPolicy } from "../../app/cli.js";
import { PolicyValidationError, UsageError } from "../../errors.js";
import { policySourceLabel, policySourceText } from "../../policy/policy-source.js";
import { policyWarnings } from "../../policy/policy-warnings.js";
import { destinationPatterns, parseCliArgs, policySource } from "../args.js";
import type { CliIo } from "../io.js";
import { issueLine, issueLines, sourceLabel } from "../policy-issues.js";

export const VALIDATE_USAGE =
  "flowlogs validate <policy> [--allowed-destinations <arn-pattern,…>]   (a file path, file:<path>, ssm:<parameter> or s3://bucket/key)";

export async function validateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCliArgs({
    args: [...argv],
    options: { "allowed-destinations": { type: "string", multiple: true } },
    allowPositionals: true,
  });
  const allowedDestinations = destinationPatterns(values["allowed-destinations"]);
  const [given, ...extra] = positionals;
  if (given === undefined || extra.length > 0) {
    throw new UsageError(`validate takes exactly one policy\nusage: ${VALIDATE_USAGE}`);
  }
  const source = policySource(given, {});
  const label = policySourceLabel(source);
  try {
    const policy = await readCliPolicy(source);
    const types = policy.resourceTypes.join(", ");
    io.out(
      `${label}: valid (mode ${policy.mode}, resource types ${types}, subnetCoverage ${policy.subnetCoverage}, compliance ${policy.compliance}, ${policy.rules.length} rule(s))`,
    );
    // Warnings do not make the policy invalid: stderr, exit 0.
    const warnings = policyWarnings(policy, { allowedDestinations, now: new Date() });
    for (const warning of warnings)
      io.err(
        issueLine(sourceLabel(policySourceText(source)), {
          ...warning,
          message: `warning: ${warning.message}`,
        }),
      );
    return 0;
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    for (const line of issueLines(error)) io.out(line);
    io.err(`${label}: ${error.issues.length} problem(s)`);
    return 1;
  }
}
