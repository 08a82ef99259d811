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

/** A resolved setting needs a value the resource does not have (e.g. ${VpcId} for a transit gateway). */
export class PlaceholderError extends EnforcerError {
  override name = "PlaceholderError";
}

/** A resolved destination cannot work for this resource (e.g. a Firehose stream in another account without roles). */
export class DestinationError extends EnforcerError {
  override name = "DestinationError";
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

/**
 * A unit of work (an account-region, a group of events) was not started because the invocation had too little time
 * left to finish it. Nothing was done for it: as an SQS batch item failure it is redelivered after the visibility
 * timeout, to an invocation with its full time.
 */
export class NotStartedError extends EnforcerError {
  override name = "NotStartedError";

  constructor(
    readonly what: string,
    readonly remainingMs: number,
    readonly reserveMs: number,
  ) {
    super(`${what} not started: ${remainingMs} ms left, ${reserveMs} ms needed to finish it`);
  }
}

/** Some account-region messages of an org sweep could not be enqueued; raised after the others were sent. */
export class SweepEnqueueError extends EnforcerError {
  override name = "SweepEnqueueError";

  constructor(
    readonly unsent: ReadonlyArray<{ body: string; reason: string }>,
    readonly sent: number,
  ) {
    super(
      `${unsent.length} account-region message(s) not enqueued (${sent} sent): ${unsent
        .slice(0, 3)
        .map((u) => `${u.body}: ${u.reason}`)
        .join("; ")}${unsent.length > 3 ? "; …" : ""}`,
    );
  }
}

/**
 * The Config rule evaluator could not reach a verdict for some resources. Raised after the evaluations it did reach
 * were sent: Config keeps the previous result for the others instead of a made-up one, and Lambda retries.
 */
export class EvaluationFailedError extends EnforcementFailedError {
  override name = "EvaluationFailedError";
}

/** PutEvaluations rejected some evaluations (FailedEvaluations) or failed for some batches; raised after every batch was tried. */
export class PutEvaluationsError extends EnforcerError {
  override name = "PutEvaluationsError";

  constructor(
    readonly rejected: ReadonlyArray<{ resourceId: string; reason: string }>,
    readonly sent: number,
    options?: { cause?: unknown },
  ) {
    super(
      `PutEvaluations did not accept ${rejected.length} evaluation(s) (${sent} accepted): ${rejected
        .slice(0, 5)
        .map((r) => `${r.resourceId}: ${r.reason}`)
        .join("; ")}${rejected.length > 5 ? "; …" : ""}`,
      options,
    );
  }
}

/** Security Hub did not accept some findings (FailedFindings, UnprocessedFindings); raised after every batch was tried. */
export class FindingsImportError extends EnforcerError {
  override name = "FindingsImportError";

  constructor(
    readonly rejected: ReadonlyArray<{ id: string; reason: string }>,
    options?: { cause?: unknown },
  ) {
    super(
      `Security Hub did not accept ${rejected.length} finding update(s): ${rejected
        .slice(0, 3)
        .map((r) => `${r.id}: ${r.reason}`)
        .join("; ")}${rejected.length > 3 ? "; …" : ""}`,
      options,
    );
  }
}

/** A stored run (`flowlogs report --run`) is missing or holds something that is not the enforcer's history. */
export class RunHistoryError extends EnforcerError {
  override name = "RunHistoryError";
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

/** The command line is wrong (unknown option, missing argument, conflicting flags). The CLI exits 1. */
export class UsageError extends EnforcerError {
  override name = "UsageError";
}

/** No AWS credentials could be found, or AWS rejected them. */
export class CredentialsError extends EnforcerError {
  override name = "CredentialsError";
}

/** A region name that AWS does not know (or that the account has not enabled). */
export class UnknownRegionError extends EnforcerError {
  override name = "UnknownRegionError";

  constructor(
    readonly regions: readonly string[],
    detail: string,
  ) {
    super(`${regions.length === 1 ? "unknown region" : "unknown regions"} ${regions.join(", ")}: ${detail}`);
  }
}
