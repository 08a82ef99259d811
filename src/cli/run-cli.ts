// Dispatches `flowlogs <command> …` and turns errors into one clear line on stderr and an exit code.
import {
  AssumeRoleError,
  ConfigurationError,
  CredentialsError,
  EnforcerError,
  errorSummary,
  PolicySourceError,
  PolicyValidationError,
  UnknownRegionError,
  UsageError,
} from "../errors.js";
import { toCredentialsError } from "../gateways/caller-session.js";
import { DOCTOR_USAGE, doctorCommand } from "./commands/doctor.js";
import { ENFORCE_USAGE, enforceCommand } from "./commands/enforce.js";
import { EXPLAIN_USAGE, explainCommand } from "./commands/explain.js";
import { REPORT_USAGE, reportCommand } from "./commands/report.js";
import { SCAN_USAGE, scanCommand } from "./commands/scan.js";
import { VALIDATE_USAGE, validateCommand } from "./commands/validate.js";
import type { CliIo } from "./io.js";
import { issueLines } from "./policy-issues.js";

export const HELP = `flowlogs: check and enforce VPC flow logs against the vpc-flow-log-enforcer policy

usage:
${[VALIDATE_USAGE, EXPLAIN_USAGE, SCAN_USAGE, ENFORCE_USAGE, DOCTOR_USAGE, REPORT_USAGE].map(indent).join("\n")}

commands:
  validate  check a policy: each problem as file:line:column: field.path: message
  explain   which rule applies to one resource and why, and the flow-log settings it resolves to
            (or why it is exempt or out of scope); with --tags it makes no AWS call
  scan      audit: each resource's coverage, the flow log enforcement would create, and flow logs
            to unapproved destinations or outdated ones it would delete (writes nothing)
  enforce   scan, then create the missing flow logs and delete what the policy wants gone; asks
            first on a terminal unless --yes, and refuses without --yes when stdin is not a terminal
  doctor    check, read-only, every destination the policy can produce for the accounts and regions:
            bucket, bucket and key policies (evaluated), log group, delivery role trust, Firehose
            stream and roles; one row per destination and check, with a fix for each failure
  report    one self-contained HTML page: coverage, charts per account and region, and every
            resource not covered; from a live scan, or from a stored sweep run with --run

options:
  --policy <source>    a file path, file:<path>, ssm:<parameter name> or s3://bucket/key
                       (default: $POLICY_SOURCE)
  --accounts <id,…>    accounts to scan (default: the caller's); others are reached by assuming
  --role-name <name>   the member role (default: $MEMBER_ROLE_NAME or FlowLogEnforcerMemberRole)
  --org                every ACTIVE account of the organization (organizations:ListAccounts)
  --organization-id <o-…>  scan/enforce: refuse, before assuming any role, every account that is not
                       an ACTIVE member of this organization (a failed row for it)
  --allowed-destinations <arn-pattern,…>  the deployment's ALLOWED_DESTINATIONS guard (* matches any
                       run of characters; \${AccountId}, \${Region}, \${Partition} allowed). scan/enforce:
                       a resource the policy sends outside it is a failed row and nothing is written;
                       validate: warns when a destination of the policy can fall outside it
  --regions <r,…>      regions to scan (default: the SDK's region); --all-regions: every enabled one
  --format <f>         scan/enforce: table (default), json, csv or html on stdout; explain: text
                       or json; doctor: table or json. Summaries, prompts and the progress bar go
                       to stderr
  --findings           scan/enforce/report: import a Security Hub finding (in each account-region's
                       own Security Hub) for every resource whose compliance changed
  --run <s3 location>  report: a stored sweep run, s3://<bucket>/runs/run=<id>/ (REPORT_BUCKET)
  --output, -o <file>  report: write the page to <file> instead of stdout
  --concurrency <n>    account-regions scanned at once (default 8)
  --yes, -y            enforce without asking
  --tags k=v ...       explain: the resource's tags (a subnet's include those it inherits from its
                       VPC); --tags '' for none. Without --tags they are read from EC2 with the resource
  --vpc <vpc-id>       explain: a subnet's VPC (read with DescribeSubnets when not given)
  --ous <ou-…,…>       explain: the OUs above the account, for rules that match on them
  --verbose            the engine's JSON log lines on stderr
  --help, -h           this text

credentials: the AWS SDK's default chain: AWS_PROFILE (SSO profiles after aws sso login),
  AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, web identity, container and instance roles.

exit codes:
  0  validate: valid; explain: explained; scan/enforce: every resource in scope is covered (or exempt)
  1  usage error, invalid or unreadable policy, no credentials, unknown region, enforce not confirmed,
     --findings refused by some account-region's Security Hub, unreadable --run; explain: the resource
     does not exist in that account and region
  2  scan/enforce/report: some resource is not covered (would-create, delivery-failing), has a flow log
     to an unapproved destination (unapproved), or could not be checked: an account-region whose
     role cannot be assumed or that denies access is reported as a failed row, the others are still
     scanned; doctor: a check failed (warnings do not fail)
`;

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; usage: string }>> = {
  validate: { run: validateCommand, usage: VALIDATE_USAGE },
  explain: { run: explainCommand, usage: EXPLAIN_USAGE },
  scan: { run: scanCommand, usage: SCAN_USAGE },
  enforce: { run: enforceCommand, usage: ENFORCE_USAGE },
  doctor: { run: doctorCommand, usage: DOCTOR_USAGE },
  report: { run: reportCommand, usage: REPORT_USAGE },
};

/** `argv` without the global --verbose (main.ts consumed it). Resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, verbose: boolean): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? io.err : io.out)(HELP);
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`flowlogs: unknown command "${name}"\n\n${HELP}`);
    return 1;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`usage: ${command.usage}\n\nRun flowlogs --help for the options.`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.err(describeError(error, verbose));
    return 1;
  }
}

/** One message per kind of failure the user can act on; anything else is unexpected and says so. */
export function describeError(error: unknown, verbose: boolean): string {
  if (error instanceof PolicyValidationError)
    return [...issueLines(error), `flowlogs: invalid policy (${error.issues.length} problem(s))`].join("\n");
  if (error instanceof UsageError) return `flowlogs: ${error.message}`;
  const credentials = toCredentialsError(error);
  if (credentials) return `flowlogs: ${credentials.message}`;
  if (
    error instanceof UnknownRegionError ||
    error instanceof CredentialsError ||
    error instanceof PolicySourceError ||
    error instanceof ConfigurationError ||
    error instanceof AssumeRoleError ||
    error instanceof EnforcerError
  )
    return `flowlogs: ${error.message}`;
  if (isNetworkError(error))
    return `flowlogs: cannot reach AWS: ${error.message} (check the network, proxy settings or AWS_ENDPOINT_URL)`;
  const stack = verbose && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  return `flowlogs: unexpected error: ${errorSummary(error)}${stack}`;
}

const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** A socket-level failure (Node's system error codes): no AWS service answered at all. */
function isNetworkError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    "code" in error &&
    typeof error.code === "string" &&
    NETWORK_CODES.has(error.code)
  );
}
