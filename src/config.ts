// Environment read once at cold start; a missing or malformed value fails fast with its name.
import { isAccountId } from "./domain/resources.js";
import { ConfigurationError } from "./errors.js";

export interface EnforcerConfig {
  /** `ssm:<parameter>`, `s3://bucket/key` or `file:<path>`. */
  readonly policySource: string;
  readonly memberRoleName: string;
  readonly policyCacheTtlSeconds: number;
  /** Optional allow-list: accounts outside it are refused before any role is assumed. */
  readonly allowedAccounts?: readonly string[];
  readonly maxAttempts: number;
}

type Env = Readonly<Record<string, string | undefined>>;

export function readConfig(env: Env = process.env): EnforcerConfig {
  const policySource = required(env, "POLICY_SOURCE");
  if (!/^(ssm:.+|s3:\/\/[^/]+\/.+|file:.+)$/.test(policySource))
    throw new ConfigurationError(
      `POLICY_SOURCE must be ssm:<parameter name>, s3://bucket/key or file:<path> (got "${policySource}")`,
    );
  const allowed = env.ALLOWED_ACCOUNTS?.split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const badAccount = allowed?.find((account) => !isAccountId(account));
  if (badAccount !== undefined)
    throw new ConfigurationError(`ALLOWED_ACCOUNTS must list 12-digit account IDs (got "${badAccount}")`);
  return {
    policySource,
    memberRoleName: env.MEMBER_ROLE_NAME || "FlowLogEnforcerMemberRole",
    policyCacheTtlSeconds: positiveNumber(env, "POLICY_CACHE_TTL_SECONDS", 60),
    maxAttempts: positiveNumber(env, "AWS_MAX_ATTEMPTS", 5),
    ...(allowed === undefined || allowed.length === 0 ? {} : { allowedAccounts: allowed }),
  };
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "")
    throw new ConfigurationError(`environment variable ${name} is required`);
  return value.trim();
}

function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`environment variable ${name} must be a non-negative number (got "${raw}")`);
  return value;
}
