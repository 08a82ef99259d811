// `flowlogs scan`: audit every resource of the chosen account-regions through the one engine (runEnforcement,
// mode audit, trigger cli) and print each resource's coverage and what enforcement would create.
import { randomUUID } from "node:crypto";
import { mapConcurrently } from "../../batching.js";
import { type AccountRegion, accountRegionKey } from "../../domain/resources.js";
import { type EnforcementScope, type Outcome, unreachableOutcomes } from "../../engine/enforce.js";
import { errorSummary, UsageError } from "../../errors.js";
import { runEnforcement } from "../../use-cases/run-enforcement.js";
import {
  accountIds,
  commaList,
  destinationPatterns,
  oneOf,
  parseCliArgs,
  policySource,
  positiveInteger,
  regionNames,
} from "../args.js";
import type { CliIo } from "../io.js";
import { createProgress } from "../progress.js";
import {
  exitCodeFor,
  formatReport,
  OUTPUT_FORMATS,
  type OutputFormat,
  summaryLine,
} from "../report-format.js";
import { openScanSession, type ScanSession, type SessionRequest } from "../scan-session.js";

export const SCAN_OPTIONS_USAGE = `[--accounts <id,…> | --org] [--regions <region,…> | --all-regions] [--policy <source>]
                 [--format table|json|csv|html] [--role-name <name>] [--concurrency <n>] [--findings]
                 [--organization-id <o-…>] [--allowed-destinations <arn-pattern,…>]`;
export const SCAN_USAGE = `flowlogs scan    ${SCAN_OPTIONS_USAGE}`;

export interface ScanOptions extends SessionRequest {
  readonly format: OutputFormat;
  readonly concurrency: number;
  readonly yes: boolean;
  readonly findings: boolean;
}

export function parseScanArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  usage: string,
): ScanOptions {
  const { values, positionals } = parseCliArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      accounts: { type: "string", multiple: true },
      org: { type: "boolean", default: false },
      regions: { type: "string", multiple: true },
      "all-regions": { type: "boolean", default: false },
      policy: { type: "string" },
      format: { type: "string", default: "table" },
      "role-name": { type: "string" },
      concurrency: { type: "string", default: "8" },
      yes: { type: "boolean", short: "y", default: false },
      findings: { type: "boolean", default: false },
      "organization-id": { type: "string" },
      "allowed-destinations": { type: "string", multiple: true },
    },
  });
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
  const accounts = commaList(values.accounts);
  const regions = commaList(values.regions);
  if (accounts.length > 0 && values.org) throw new UsageError("use either --accounts or --org, not both");
  if (regions.length > 0 && values["all-regions"])
    throw new UsageError("use either --regions or --all-regions, not both");
  if (values.accounts !== undefined && accounts.length === 0)
    throw new UsageError("--accounts lists no account");
  if (values.regions !== undefined && regions.length === 0) throw new UsageError("--regions lists no region");
  return {
    accounts: values.org
      ? { kind: "org" }
      : accounts.length > 0
        ? { kind: "list", ids: accountIds("--accounts", accounts) }
        : { kind: "caller" },
    regions: values["all-regions"]
      ? { kind: "all" }
      : regions.length > 0
        ? { kind: "list", names: regionNames("--regions", regions) }
        : { kind: "default" },
    source: policySource(values.policy, env),
    format: oneOf("--format", values.format ?? "table", OUTPUT_FORMATS),
    roleName: values["role-name"] || env.MEMBER_ROLE_NAME || "FlowLogEnforcerMemberRole",
    concurrency: positiveInteger("--concurrency", values.concurrency ?? "8"),
    yes: values.yes ?? false,
    findings: values.findings ?? false,
    ...organizationOption(values["organization-id"]),
    allowedDestinations: destinationPatterns(values["allowed-destinations"]),
  };
}

function organizationOption(value: string | undefined): { organizationId?: string } {
  if (value === undefined) return {};
  if (!/^o-[a-z0-9]{10,32}$/.test(value))
    throw new UsageError(
      `--organization-id must be an organization ID such as o-a1b2c3d4e5 (got "${value}")`,
    );
  return { organizationId: value };
}

export async function scanCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseScanArgs(argv, io.env, SCAN_USAGE);
  const session = await openScanSession(options, io);
  const runId = `cli-${randomUUID()}`;
  const outcomes = await runAccountRegions(session.targets, sessionRunner(session, options, runId, "audit"), {
    concurrency: options.concurrency,
    io,
    title: "scanning",
  });
  return report(outcomes, session, options, runId, "audit", io);
}

const ACCOUNT_REGION: EnforcementScope = { kind: "account-region" };

export type AccountRegionRunner = (target: AccountRegion) => Promise<readonly Outcome[]>;

/** Runs the engine on one account-region of the session, in the given mode, seeded and correlated by the run. */
export function sessionRunner(
  session: ScanSession,
  options: ScanOptions,
  runId: string,
  mode: "audit" | "enforce",
): AccountRegionRunner {
  return async (target) => {
    const { outcomes } = await runEnforcement(
      {
        target,
        scope: ACCOUNT_REGION,
        idempotencySeed: runId,
        correlation: { trigger: "cli", correlationId: runId },
        mode,
        policySource: options.source,
      },
      session.enforcer,
    );
    return outcomes;
  };
}

/**
 * Runs every account-region, at most `concurrency` at a time, with a progress bar on a terminal. One that throws
 * (AccessDenied on EC2, a network error) becomes a `failed` row for that account-region; the others carry on.
 * Outcomes come back in the order of `targets`, whatever order they finish in.
 */
export async function runAccountRegions(
  targets: readonly AccountRegion[],
  run: AccountRegionRunner,
  { concurrency, io, title }: { concurrency: number; io: CliIo; title: string },
): Promise<Outcome[]> {
  const progress = createProgress(io.progressStream, targets.length, title);
  try {
    const results = await mapConcurrently(targets, concurrency, async (target) => {
      const outcomes = await run(target).catch((error: unknown) =>
        unreachableOutcomes(target, ACCOUNT_REGION, errorSummary(error)),
      );
      progress.tick(accountRegionKey(target));
      return outcomes;
    });
    return results.flat();
  } finally {
    progress.done();
  }
}

export function report(
  outcomes: readonly Outcome[],
  session: ScanSession,
  options: ScanOptions,
  runId: string,
  mode: "audit" | "enforce",
  io: CliIo,
): number {
  io.out(
    formatReport(options.format, outcomes, {
      mode,
      runId,
      accounts: session.accounts,
      regions: session.regions,
    }),
  );
  io.err(summaryLine(outcomes, session.targets.length));
  return Math.max(exitCodeFor(outcomes), reportFindings(session, options, io));
}

/** `--findings`: what was imported, and each account-region whose Security Hub refused (exit code 1). */
export function reportFindings(
  session: ScanSession,
  options: Pick<ScanOptions, "findings">,
  io: CliIo,
): 0 | 1 {
  if (!options.findings) return 0;
  const tally = session.enforcer.findingsTally();
  io.err(
    `security hub: ${tally.imported} finding(s) imported, ${tally.resolved} resolved (only what changed state)`,
  );
  for (const failure of tally.failures)
    io.err(`error: security hub findings not updated in ${failure.accountRegion}: ${failure.reason}`);
  return tally.failures.length > 0 ? 1 : 0;
}
