// A policy's problems as editor-style lines: `policy.yaml:12:5: defaults.trafficType: Invalid option: …`.
import type { PolicyIssue, PolicyValidationError } from "../errors.js";

/** How a source text is named in messages: a file by its path, as editors and terminals link `path:line:column`. */
export function sourceLabel(source: string): string {
  return source.startsWith("file:") ? source.slice("file:".length) : source;
}

/** One line per issue. */
export function issueLines(error: PolicyValidationError): string[] {
  const label = sourceLabel(error.source);
  return error.issues.map((issue) => issueLine(label, issue));
}

export function issueLine(label: string, issue: PolicyIssue): string {
  const where = issue.line === undefined ? label : `${label}:${issue.line}:${issue.column ?? 1}`;
  return `${where}: ${issue.path || "(root)"}: ${issue.message}`;
}
