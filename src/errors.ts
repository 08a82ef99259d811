// Typed errors: callers match with instanceof, never on message text.

// Names are spelled out because bundles are minified: `new.target.name` would report "wf".
export class EnforcerError extends Error {
  override name = "EnforcerError";
}

/** A required setting is missing or malformed; raised at cold start with the variable's name. */
export class ConfigurationError extends EnforcerError {
  override name = "ConfigurationError";
}

export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** The policy text does not parse or does not satisfy the schema. No write may happen with it. */
export class PolicyValidationError extends EnforcerError {
  override name = "PolicyValidationError";

  constructor(
    readonly source: string,
    readonly issues: readonly PolicyIssue[],
  ) {
    super(`invalid policy from ${source}: ${issues.map(formatIssue).join("; ")}`);
  }
}

export function formatIssue(issue: PolicyIssue): string {
  const where = issue.line === undefined ? "" : ` (line ${issue.line}, column ${issue.column ?? 1})`;
  return `${issue.path || "(root)"}: ${issue.message}${where}`;
}

/** The policy could not be read from its source (missing parameter, object, file, or no permission). */
export class PolicySourceError extends EnforcerError {
  override name = "PolicySourceError";
}

/** An incoming event does not have the shape its trigger promises. Nothing is written for it. */
export class EventValidationError extends EnforcerError {
  override name = "EventValidationError";

  constructor(
    readonly trigger: string,
    readonly problems: readonly string[],
  ) {
    super(`malformed ${trigger} event: ${problems.join("; ")}`);
  }
}

/** The target account may not be acted on (outside the organization or the allow-list). */
export class AccountNotAllowedError extends EnforcerError {
  override name = "AccountNotAllowedError";
}

/** The member role in the target account could not be assumed. */
export class AssumeRoleError extends EnforcerError {
  override name = "AssumeRoleError";

  constructor(
    readonly roleArn: string,
    cause: unknown,
  ) {
    super(`cannot assume ${roleArn}: ${errorSummary(cause)}`, { cause });
  }
}

/** Raised after the report is logged, when some resource failed, so Lambda retries and the on-failure destination keeps the event. */
export class EnforcementFailedError extends EnforcerError {
  override name = "EnforcementFailedError";

  constructor(
    readonly failures: ReadonlyArray<{ resourceId: string; reason?: string | undefined }>,
    readonly report: unknown,
  ) {
    super(
      `${failures.length} resource(s) failed: ${failures
        .slice(0, 5)
        .map((f) => `${f.resourceId}: ${f.reason ?? "unknown"}`)
        .join("; ")}${failures.length > 5 ? "; …" : ""}`,
    );
  }
}

/** `Code: message` of an AWS SDK error (or any error), for reports and logs. */
export function errorSummary(error: unknown): string {
  if (error instanceof Error) {
    const code = errorCode(error);
    return code && code !== error.message ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The AWS error code of an SDK exception (its `name`), without depending on the SDK. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof Error) {
    const withCode = error as Error & { Code?: unknown };
    return typeof withCode.Code === "string" ? withCode.Code : error.name;
  }
  return undefined;
}
