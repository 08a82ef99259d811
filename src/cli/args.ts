// Command-line words in, typed options out: node:util parseArgs plus the value checks every command shares.
import { type ParseArgsConfig, parseArgs } from "node:util";
import {
  type AccountId,
  isAccountId,
  isRegionName,
  type RegionName,
  type Tags,
} from "../domain/resources.js";
import { UsageError } from "../errors.js";
import { parseDestinationPatterns } from "../policy/destination-patterns.js";
import { type PolicySource, parsePolicySource } from "../policy/policy-source.js";

/** parseArgs with its errors (unknown option, missing value) turned into UsageError. */
export function parseCliArgs<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
      throw new UsageError(error.message);
    throw error;
  }
}

/** `a,b , c` → [a, b, c]; repeated flags are concatenated. Empty items are dropped. */
export function commaList(values: string | readonly string[] | undefined): string[] {
  const all = values === undefined ? [] : typeof values === "string" ? [values] : values;
  return all.flatMap((value) => value.split(",").map((item) => item.trim())).filter(Boolean);
}

export function accountIds(option: string, values: readonly string[]): AccountId[] {
  const bad = values.filter((value) => !isAccountId(value));
  if (bad.length > 0)
    throw new UsageError(`${option} takes 12-digit account IDs (got ${bad.map((b) => `"${b}"`).join(", ")})`);
  return values.filter(isAccountId);
}

/** The shape of a region name; whether AWS knows the region is checked against DescribeRegions. */
export function regionNames(option: string, values: readonly string[]): RegionName[] {
  const bad = values.filter((value) => !isRegionName(value));
  if (bad.length > 0)
    throw new UsageError(
      `${option}: ${bad.map((b) => `"${b}"`).join(", ")} ${bad.length === 1 ? "is not a region name" : "are not region names"} (such as eu-west-1)`,
    );
  return [...new Set(values.filter(isRegionName))];
}

/** `key=value` words (the value may contain "="); `key` alone means an empty value, as EC2 allows. */
export function parseTags(words: readonly string[]): Tags {
  const tags: Record<string, string> = {};
  for (const word of words) {
    if (word === "") continue;
    const at = word.indexOf("=");
    const key = at === -1 ? word : word.slice(0, at);
    if (key === "") throw new UsageError(`--tags: "${word}" has no key (use key=value)`);
    tags[key] = at === -1 ? "" : word.slice(at + 1);
  }
  return tags;
}

/** A bare path means a local file; `file:`, `ssm:` and `s3://` sources are read in the one policy-source grammar. */
export function policySource(
  value: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): PolicySource {
  const text = (value ?? env.POLICY_SOURCE ?? "").trim();
  if (text === "")
    throw new UsageError(
      "--policy is required (a file path, file:<path>, ssm:<parameter> or s3://bucket/key)",
    );
  const parsed = parsePolicySource(text);
  if (parsed !== undefined) return parsed;
  if (/^(file:|ssm:|s3:)/.test(text))
    throw new UsageError(
      `--policy "${text}" is incomplete (use file:<path>, ssm:<parameter> or s3://bucket/key)`,
    );
  return { kind: "file", path: text };
}

export function oneOf<const T extends string>(option: string, value: string, allowed: readonly T[]): T {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined)
    throw new UsageError(`${option} must be one of ${allowed.join(", ")} (got "${value}")`);
  return match;
}

export function positiveInteger(option: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${option} must be a positive integer (got "${value}")`);
  return number;
}

/** --allowed-destinations `a,b` (repeatable): the destination guard's ARN patterns; undefined when not given. */
export function destinationPatterns(values: string | readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const parsed = parseDestinationPatterns(commaList(values).join(","));
  if (parsed.kind === "invalid") throw new UsageError(`--allowed-destinations ${parsed.problem}`);
  if (parsed.patterns.length === 0) throw new UsageError("--allowed-destinations lists no pattern");
  return parsed.patterns;
}
