// Where a policy is kept, in one grammar for every input that names one (POLICY_SOURCE, a Config rule parameter,
// a remediation payload, the CLI's --policy): text in, a typed PolicySource out. Pure; reading it is
// gateways/policy-store.ts's job, which returns it as a LoadedPolicy.

import type { Policy } from "./schema.js";

export type PolicySource =
  | { readonly kind: "ssm"; readonly parameterName: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly key: string }
  | { readonly kind: "file"; readonly path: string };

/** A validated policy and which revision of its source it came from. */
export interface LoadedPolicy {
  readonly policy: Policy;
  /** Where it was read, as policySourceText names it. */
  readonly source: string;
  /** The SSM parameter's Version when the source is ssm: (GetParameter returns it); absent for S3 and files. */
  readonly version?: string;
}

/** The forms a policy source may take, as error messages name them. */
export const POLICY_SOURCE_FORMS = "ssm:<parameter name>, s3://bucket/key or file:<path>";

/** `ssm:<name>`, `s3://bucket/key` (the key may contain `/`) or `file:<path>`; undefined for anything else. */
export function parsePolicySource(text: string): PolicySource | undefined {
  const value = text.trim();
  if (value.startsWith("ssm:")) {
    const parameterName = value.slice("ssm:".length);
    return parameterName === "" ? undefined : { kind: "ssm", parameterName };
  }
  if (value.startsWith("s3://")) {
    const [bucket = "", ...key] = value.slice("s3://".length).split("/");
    const objectKey = key.join("/");
    return bucket === "" || objectKey === "" ? undefined : { kind: "s3", bucket, key: objectKey };
  }
  if (value.startsWith("file:")) {
    const path = value.slice("file:".length);
    return path === "" ? undefined : { kind: "file", path };
  }
  return undefined;
}

/** True when `text` names a policy source in the grammar above (a schema refinement's check). */
export function isPolicySourceText(text: string): boolean {
  return parsePolicySource(text) !== undefined;
}

/** The canonical text of a source: the key of the policy cache and how messages name it. */
export function policySourceText(source: PolicySource): string {
  switch (source.kind) {
    case "ssm":
      return `ssm:${source.parameterName}`;
    case "s3":
      return `s3://${source.bucket}/${source.key}`;
    case "file":
      return `file:${source.path}`;
  }
}

/** How a source is named to a person: a file by its bare path, so terminals link `path:line:column`. */
export function policySourceLabel(source: PolicySource): string {
  return source.kind === "file" ? source.path : policySourceText(source);
}
