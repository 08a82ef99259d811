// `flowlogs doctor`: before anything is written, check every destination the policy can produce for the chosen
// accounts and regions — bucket, bucket policy and key policy, log group and delivery role, Firehose stream and its
// roles — read-only, through the same session selection `scan` uses.
import { createDoctorPorts } from "../../app/cli.js";
import { UsageError } from "../../errors.js";
import { diagnoseDestinations } from "../../use-cases/diagnose-destinations.js";
import { accountIds, commaList, oneOf, parseCliArgs, policySource, regionNames } from "../args.js";
import { DOCTOR_FORMATS, doctorExitCode, doctorSummary, formatDoctor } from "../doctor-format.js";
import type { CliIo } from "../io.js";
import { openScanSession, type SessionRequest } from "../scan-session.js";

export const DOCTOR_USAGE = `flowlogs doctor  --policy <source> [--accounts <id,…> | --org] [--regions <region,…> | --all-regions]
                 [--format table|json] [--role-name <name>]`;

export function parseDoctorArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SessionRequest & { readonly format: (typeof DOCTOR_FORMATS)[number] } {
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
    },
  });
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${DOCTOR_USAGE}`);
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
    format: oneOf("--format", values.format ?? "table", DOCTOR_FORMATS),
    roleName: values["role-name"] || env.MEMBER_ROLE_NAME || "FlowLogEnforcerMemberRole",
  };
}

/**
 * 1. open the session scan uses (credentials, policy, regions, accounts)
 * 2. diagnose every destination the policy can produce there (read-only)
 * 3. print the rows on stdout, the summary on stderr; exit 2 when a check failed
 */
export async function doctorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseDoctorArgs(argv, io.env);
  const session = await openScanSession(options, io);
  const homeRegion = session.enforcer.homeRegion ?? session.regions[0];
  if (homeRegion === undefined)
    throw new UsageError("no AWS region configured: set AWS_REGION or pass --regions");
  const ports = createDoctorPorts({
    enforcer: session.enforcer,
    homeAccountId: session.identity.accountId,
    homeRegion,
    organizationWide: options.accounts.kind === "org",
  });
  const report = await diagnoseDestinations(session.policy, session.targets, ports);
  io.out(formatDoctor(options.format, report));
  io.err(doctorSummary(report, session.targets.length));
  return doctorExitCode(report);
}
