// moto 5.2 implements Security Hub's BatchImportFindings and GetFindings, not BatchUpdateFindings (it answers 404).
// This proxy stands in front of moto and answers BatchUpdateFindings the way Security Hub applies its Workflow:
// it reads the findings from moto with the caller's own credentials and imports them again with the new workflow
// (moto's import replaces a finding's fields by Id). Every other call passes through, and is recorded.
import type { IncomingHttpHeaders } from "node:http";
import { type AwsProxy, startAwsProxy } from "./aws-proxy.js";

export interface WorkflowUpdate {
  readonly ids: string[];
  readonly status: string | undefined;
}

export interface SecurityHubProxy extends AwsProxy {
  /** Every BatchUpdateFindings received, in order. */
  updates(): WorkflowUpdate[];
}

type Finding = Record<string, unknown> & { Id?: string };

export async function startSecurityHubProxy(motoEndpoint: string): Promise<SecurityHubProxy> {
  const updates: WorkflowUpdate[] = [];
  const proxy = await startAwsProxy(motoEndpoint, async (call, body, headers) => {
    if (call.service !== "securityhub" || call.action !== "PATCH /findings/batchupdate") return undefined;
    const request = JSON.parse(body.toString("utf8")) as {
      FindingIdentifiers?: Array<{ Id?: string }>;
      Workflow?: { Status?: string };
    };
    const ids = (request.FindingIdentifiers ?? []).flatMap((f) => (f.Id ? [f.Id] : []));
    updates.push({ ids, status: request.Workflow?.Status });
    const stored = (await allFindings(motoEndpoint, headers)).filter((f) => f.Id && ids.includes(f.Id));
    if (stored.length > 0)
      await motoCall(motoEndpoint, headers, "/findings/import", {
        Findings: stored.map((finding) => ({ ...finding, Workflow: { Status: request.Workflow?.Status } })),
      });
    const found = new Set(stored.map((f) => f.Id));
    const identifiers = request.FindingIdentifiers ?? [];
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ProcessedFindings: identifiers.filter((f) => found.has(f.Id)),
        UnprocessedFindings: identifiers
          .filter((f) => !found.has(f.Id))
          .map((f) => ({
            FindingIdentifier: f,
            ErrorCode: "FindingNotFound",
            ErrorMessage: "no such finding",
          })),
      }),
    };
  });
  return { ...proxy, updates: () => [...updates] };
}

async function allFindings(motoEndpoint: string, headers: IncomingHttpHeaders): Promise<Finding[]> {
  const findings: Finding[] = [];
  let token: string | undefined;
  do {
    const page = (await motoCall(motoEndpoint, headers, "/findings", {
      MaxResults: 100,
      ...(token ? { NextToken: token } : {}),
    })) as { Findings?: Finding[]; NextToken?: string | null };
    findings.push(...(page.Findings ?? []));
    token = page.NextToken ?? undefined;
  } while (token);
  return findings;
}

/** A Security Hub REST call to moto as the original caller (moto picks the account from the access key). */
async function motoCall(
  motoEndpoint: string,
  headers: IncomingHttpHeaders,
  path: string,
  payload: unknown,
): Promise<unknown> {
  const authorization = headers.authorization;
  const response = await fetch(`${motoEndpoint}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(typeof authorization === "string" ? { authorization } : {}),
      ...(typeof headers["x-amz-security-token"] === "string"
        ? { "x-amz-security-token": headers["x-amz-security-token"] }
        : {}),
    },
    body: JSON.stringify(payload),
  });
  if (!response.ok) throw new Error(`moto ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}
