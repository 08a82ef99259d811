// Policy sources named on the command line: read (file, SSM, S3), validated, and their problems as editor-style lines.
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { PolicyIssue, PolicyValidationError } from "../errors.js";
import { s3ObjectReader } from "../gateways/s3-objects.js";
import type { Policy } from "../policy/schema.js";
import { loadPolicy, type PolicyClients } from "../policy/source.js";

/** SSM and S3 clients built only when the source needs them: a file policy makes no AWS call. */
export function lazyPolicyClients(region?: string): PolicyClients & { destroy(): void } {
  const config = region === undefined ? {} : { region };
  let ssm: SSMClient | undefined;
  let s3: S3Client | undefined;
  return {
    ssm: () => (ssm ??= new SSMClient(config)),
    s3: async () => {
      s3 ??= new S3Client(config);
      return s3ObjectReader(s3);
    },
    destroy: () => {
      ssm?.destroy();
      s3?.destroy();
    },
  };
}

export async function readCliPolicy(source: string, region?: string): Promise<Policy> {
  const clients = lazyPolicyClients(region);
  try {
    return await loadPolicy(source, clients);
  } finally {
    clients.destroy();
  }
}

/** How a source is named in messages: a file by its path, as editors and terminals link `path:line:column`. */
export function sourceLabel(source: string): string {
  return source.startsWith("file:") ? source.slice("file:".length) : source;
}

/** `policy.yaml:12:5: defaults.trafficType: Invalid option: …`, one line per issue. */
export function issueLines(error: PolicyValidationError): string[] {
  const label = sourceLabel(error.source);
  return error.issues.map((issue) => issueLine(label, issue));
}

export function issueLine(label: string, issue: PolicyIssue): string {
  const where = issue.line === undefined ? label : `${label}:${issue.line}:${issue.column ?? 1}`;
  return `${where}: ${issue.path || "(root)"}: ${issue.message}`;
}
