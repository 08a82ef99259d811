// Security Hub access for findings: GetFindings to read the enforcer's findings back, BatchImportFindings (≤ 100 per
// call) to write them, BatchUpdateFindings (≤ 100 per call) to resolve them. One client per account-region: with the
// default product ARN, Security Hub accepts a finding only from the account it is about. Loaded on first use.
import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  paginateGetFindings,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { chunk } from "../batching.js";
import type { AccountRegion } from "../domain/resources.js";
import { errorSummary, FindingsImportError } from "../errors.js";
import {
  type AsffFinding,
  type ComplianceStatus,
  defaultProductArn,
  type FindingState,
  type FindingsPlan,
  GENERATOR_ID,
  MAX_FINDINGS_PER_CALL,
  PRODUCT_FIELD_PREFIX,
  type RecordState,
} from "../reports/findings.js";
import type { AccountClients } from "./account-clients.js";

/** GetFindings takes at most 20 values per filter attribute. */
export const MAX_FILTER_VALUES = 20;
const PAGE_SIZE = 100;

export interface SecurityHubFindings {
  currentFindings(
    target: AccountRegion,
    ids: readonly string[] | "all",
  ): Promise<ReadonlyMap<string, FindingState>>;
  applyFindings(target: AccountRegion, plan: FindingsPlan): Promise<void>;
}

/** The findings port over each account-region's Security Hub client (built by `clientOf`). */
export function securityHubFindings(
  clientOf: (target: AccountRegion) => Promise<SecurityHubClient>,
): SecurityHubFindings {
  return {
    currentFindings: async (target, ids) => readFindings(await clientOf(target), target, ids),
    applyFindings: async (target, plan) => applyFindings(await clientOf(target), target, plan),
  };
}

/** The Security Hub client of an account-region: its own credentials at home, the member role elsewhere. */
export function connectSecurityHub(accounts: AccountClients): SecurityHubFindings {
  return securityHubFindings((target) =>
    accounts.clientFor("securityhub", target, (config) => new SecurityHubClient(config)),
  );
}

/**
 * Named Ids: one GetFindings per 20 Ids. "all": every finding of the enforcer's generator in the account-region,
 * 100 per page. The result is filtered again by Id and generator, so a filter the endpoint ignores cannot let a
 * foreign finding in.
 */
export async function readFindings(
  client: SecurityHubClient,
  target: AccountRegion,
  ids: readonly string[] | "all",
): Promise<Map<string, FindingState>> {
  const wanted = ids === "all" ? undefined : new Set(ids);
  const base: AwsSecurityFindingFilters = {
    ProductArn: [{ Value: defaultProductArn(target), Comparison: "EQUALS" }],
    GeneratorId: [{ Value: GENERATOR_ID, Comparison: "EQUALS" }],
  };
  const filterSets: AwsSecurityFindingFilters[] =
    ids === "all"
      ? [base]
      : chunk(ids, MAX_FILTER_VALUES).map((batch) => ({
          ...base,
          Id: batch.map((id) => ({ Value: id, Comparison: "EQUALS" as const })),
        }));
  const found = new Map<string, FindingState>();
  for (const Filters of filterSets) {
    for await (const page of paginateGetFindings(
      { client, pageSize: PAGE_SIZE },
      { Filters, MaxResults: PAGE_SIZE },
    )) {
      for (const finding of page.Findings ?? []) {
        if (finding.GeneratorId !== GENERATOR_ID || (wanted !== undefined && !wanted.has(finding.Id ?? "")))
          continue;
        const state = stateOf(finding);
        if (state !== undefined) found.set(state.id, state);
      }
    }
  }
  return found;
}

function stateOf(finding: AwsSecurityFinding): FindingState | undefined {
  if (finding.Id === undefined) return undefined;
  return {
    id: finding.Id,
    status: complianceStatus(finding.Compliance?.Status),
    recordState: recordState(finding.RecordState),
    outcome: finding.ProductFields?.[`${PRODUCT_FIELD_PREFIX}outcome`],
    createdAt: finding.CreatedAt,
    updatedAt: finding.UpdatedAt,
  };
}

function complianceStatus(value: string | undefined): ComplianceStatus | undefined {
  return value === "PASSED" || value === "FAILED" || value === "WARNING" || value === "NOT_AVAILABLE"
    ? value
    : undefined;
}

function recordState(value: string | undefined): RecordState | undefined {
  return value === "ACTIVE" || value === "ARCHIVED" ? value : undefined;
}

/**
 * Imports in batches of 100, then resolves in batches of 100 (only what was imported: a finding Security Hub refused
 * is not resolved). Every batch is tried; then FindingsImportError names each refused finding.
 */
export async function applyFindings(
  client: SecurityHubClient,
  target: AccountRegion,
  plan: FindingsPlan,
): Promise<void> {
  const rejected: Array<{ id: string; reason: string }> = [];
  let firstError: unknown;
  for (const batch of chunk(plan.imports, MAX_FINDINGS_PER_CALL)) {
    try {
      const response = await client.send(
        new BatchImportFindingsCommand({ Findings: batch.map(toSdkFinding) }),
      );
      for (const failed of response.FailedFindings ?? [])
        rejected.push({
          id: failed.Id ?? "(unknown)",
          reason: `${failed.ErrorCode}: ${failed.ErrorMessage}`,
        });
    } catch (error) {
      firstError ??= error;
      rejected.push(...batch.map((finding) => ({ id: finding.Id, reason: errorSummary(error) })));
    }
  }
  const refused = new Set(rejected.map((r) => r.id));
  const productArn = defaultProductArn(target);
  for (const batch of chunk(
    plan.resolve.filter((id) => !refused.has(id)),
    MAX_FINDINGS_PER_CALL,
  )) {
    try {
      const response = await client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: batch.map((Id) => ({ Id, ProductArn: productArn })),
          Workflow: { Status: "RESOLVED" },
          Note: {
            Text: "Covered by the VPC flow log the policy requires.",
            UpdatedBy: "vpc-flow-log-enforcer",
          },
        }),
      );
      for (const failed of response.UnprocessedFindings ?? [])
        rejected.push({
          id: failed.FindingIdentifier?.Id ?? "(unknown)",
          reason: `not resolved: ${failed.ErrorCode}: ${failed.ErrorMessage}`,
        });
    } catch (error) {
      firstError ??= error;
      rejected.push(...batch.map((id) => ({ id, reason: `not resolved: ${errorSummary(error)}` })));
    }
  }
  if (rejected.length > 0) throw new FindingsImportError(rejected, { cause: firstError });
}

function toSdkFinding(finding: AsffFinding): AwsSecurityFinding {
  return {
    ...finding,
    Types: [...finding.Types],
    FindingProviderFields: {
      ...finding.FindingProviderFields,
      Types: [...finding.FindingProviderFields.Types],
    },
    ProductFields: { ...finding.ProductFields },
    // The ASFF Partition enum knows aws, aws-cn and aws-us-gov only; elsewhere the ARN still says it.
    Resources: finding.Resources.map(({ Partition, ...resource }) => ({
      ...resource,
      ...(Partition === "aws" || Partition === "aws-cn" || Partition === "aws-us-gov" ? { Partition } : {}),
    })),
  };
}
