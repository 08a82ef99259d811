// `flowlogs doctor`: policy and account-regions in, one row per destination and check out — read-only. Facts come
// through the ports below (each read once, however many account-regions share it); every decision is pure
// (engine/doctor/checks.ts, with the resource-policy evaluator).
import { mapConcurrently } from "../batching.js";
import type { AccountRegion } from "../domain/resources.js";
import {
  type BucketFacts,
  bucketExistsRow,
  bucketGrantRows,
  bucketOf,
  type CheckRow,
  encryptionRow,
  type Fact,
  type KeyFacts,
  type LogGroupFacts,
  logGroupRow,
  type RoleFacts,
  type StreamFacts,
  streamRows,
  trustRow,
} from "../engine/doctor/checks.js";
import { type DestinationUse, destinationsFor } from "../engine/doctor/destinations.js";
import { preparedLogGroupName } from "../engine/log-groups.js";
import { errorSummary } from "../errors.js";
import type { Policy } from "../policy/schema.js";

/** Read-only facts, each in the account that holds the resource (the member role elsewhere than home). */
export interface DoctorPorts {
  bucket(name: string): Promise<BucketFacts>;
  /** A KMS key by ID, ARN or alias, in `region` of the caller's account unless the ARN says otherwise. */
  key(keyId: string, region: string): Promise<KeyFacts>;
  role(roleArn: string): Promise<RoleFacts>;
  logGroup(where: AccountRegion, name: string): Promise<LogGroupFacts>;
  stream(streamArn: string): Promise<StreamFacts>;
  /** The organization's ID (for aws:SourceOrgID conditions); undefined when not known. */
  organizationId(): Promise<string | undefined>;
  /** With --org: the management account, and whether the enforcer can act there (its member role is assumable). */
  managementAccount?(): Promise<{ readonly accountId: string; readonly reachable: Fact<true> } | undefined>;
}

export interface DoctorReport {
  readonly rows: readonly CheckRow[];
  readonly summary: Readonly<Record<"pass" | "warn" | "fail", number>>;
}

const CONCURRENCY = 8;

/**
 * 1. enumerate the destinations the policy can produce in each account-region (engine resolution)
 * 2. read each bucket, key, role, log group and stream once, 8 at a time
 * 3. decide every check (pure) and merge rows that say the same thing for several account-regions
 */
export async function diagnoseDestinations(
  policy: Policy,
  targets: readonly AccountRegion[],
  ports: DoctorPorts,
): Promise<DoctorReport> {
  const { uses, problems } = destinationsFor(policy, targets);
  const organizationId = await ports.organizationId().catch(() => undefined);
  const read = memo();
  const rows: CheckRow[] = problems.map((problem) => ({
    destination: problem.source,
    check: "destination resolves",
    where: `${problem.target.accountId}/${problem.target.region}`,
    status: "fail",
    detail: problem.reason,
    fix: "correct the rule's destination (see the policy reference)",
  }));
  const perUse = await mapConcurrently(uses, CONCURRENCY, (use) =>
    checkUse(use, ports, read, organizationId),
  );
  rows.push(...perUse.flat());
  if (ports.managementAccount !== undefined) rows.push(...(await managementRows(ports)));
  const merged = mergeRows(rows);
  return {
    rows: merged,
    summary: {
      pass: merged.filter((row) => row.status === "pass").length,
      warn: merged.filter((row) => row.status === "warn").length,
      fail: merged.filter((row) => row.status === "fail").length,
    },
  };
}

type Reader = <T>(key: string, load: () => Promise<T>) => Promise<Fact<T>>;

/** Each fact is read once per run; a failure becomes the reason the check cannot tell. */
function memo(): Reader {
  const cache = new Map<string, Promise<Fact<unknown>>>();
  return <T>(key: string, load: () => Promise<T>) => {
    let found = cache.get(key);
    if (found === undefined) {
      found = load().then(
        (ok): Fact<unknown> => ({ ok }),
        (error: unknown): Fact<unknown> => ({ unreadable: errorSummary(error) }),
      );
      cache.set(key, found);
    }
    return found as Promise<Fact<T>>;
  };
}

async function checkUse(
  use: DestinationUse,
  ports: DoctorPorts,
  read: Reader,
  organizationId: string | undefined,
): Promise<CheckRow[]> {
  const { destination, target } = use;
  switch (destination.type) {
    case "s3": {
      const arn = destination.arn ?? "";
      const { bucket } = bucketOf(arn);
      const facts = await read(`bucket:${bucket}`, () => ports.bucket(bucket));
      const encryption = "ok" in facts && "ok" in facts.ok.encryption ? facts.ok.encryption.ok : undefined;
      const key =
        encryption?.kind === "sse-kms"
          ? await read(`key:${encryption.keyId}`, () => ports.key(encryption.keyId, target.region))
          : undefined;
      const rows = [
        bucketExistsRow(arn, facts),
        ...bucketGrantRows(destination, target, facts, organizationId),
      ];
      const keyRow = encryptionRow(destination, target, facts, key, organizationId);
      return keyRow === undefined ? rows : [...rows, keyRow];
    }
    case "cloud-watch-logs": {
      const rows: CheckRow[] = [];
      const group = preparedLogGroupName({ ...destination, logGroup: destination.logGroup ?? {} }, target);
      if (group !== undefined && "name" in group) {
        const facts = use.perResource
          ? undefined
          : await read(`logs:${target.accountId}/${target.region}/${group.name}`, () =>
              ports.logGroup(target, group.name),
            );
        rows.push(logGroupRow(destination, group.name, target, use.perResource, facts));
      } else if (group !== undefined) {
        rows.push({
          destination: destination.arn ?? "",
          check: "log group",
          where: `${target.accountId}/${target.region}`,
          status: "warn",
          detail: group.problem,
        });
      }
      const role = destination.deliverLogsPermissionArn ?? "";
      rows.push(
        trustRow(
          "delivery role",
          role,
          target,
          await read(`role:${role}`, () => ports.role(role)),
          "vpc-flow-logs",
        ),
      );
      return rows;
    }
    case "kinesis-data-firehose": {
      const arn = destination.arn ?? "";
      const rows = streamRows(arn, await read(`stream:${arn}`, () => ports.stream(arn)));
      const source = destination.deliverLogsPermissionArn;
      const target_ = destination.deliverCrossAccountRole;
      if (source !== undefined)
        rows.push(
          trustRow(
            "source-account role",
            source,
            target,
            await read(`role:${source}`, () => ports.role(source)),
            "delivery-logs",
          ),
        );
      if (target_ !== undefined && source !== undefined)
        rows.push(
          trustRow(
            "destination-account role",
            target_,
            target,
            await read(`role:${target_}`, () => ports.role(target_)),
            { roleArn: source, accountId: target.accountId },
          ),
        );
      return rows;
    }
  }
}

async function managementRows(ports: DoctorPorts): Promise<CheckRow[]> {
  const base = { destination: "-", check: "management account covered" } as const;
  let management: Awaited<ReturnType<NonNullable<DoctorPorts["managementAccount"]>>>;
  try {
    management = await ports.managementAccount?.();
  } catch (error) {
    return [{ ...base, where: "-", status: "warn", detail: `cannot tell: ${errorSummary(error)}` }];
  }
  if (management === undefined || "ok" in management.reachable) return [];
  return [
    {
      ...base,
      where: management.accountId,
      status: "fail",
      detail: `the enforcer cannot act in the management account (${management.reachable.unreadable}): service-managed StackSets never deploy there, so its VPCs are not covered`,
      fix: "in the management account, deploy templates/member.yaml once per governed region (README: Management account), or deploy the enforcer there (StackSetCallAs=SELF)",
    },
  ];
}

/** Rows that differ only in where they apply become one row listing every place. */
function mergeRows(rows: readonly CheckRow[]): CheckRow[] {
  const merged = new Map<string, { row: CheckRow; where: string[] }>();
  for (const row of rows) {
    const key = JSON.stringify([row.destination, row.check, row.status, row.detail, row.fix ?? ""]);
    const found = merged.get(key);
    if (found === undefined) merged.set(key, { row, where: [row.where] });
    else if (!found.where.includes(row.where)) found.where.push(row.where);
  }
  return [...merged.values()].map(({ row, where }) => ({ ...row, where: where.join(", ") }));
}
