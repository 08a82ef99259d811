// Loads the policy from POLICY_SOURCE (SSM parameter, S3 object or file), validates it, caches it with a TTL.
import { readFile } from "node:fs/promises";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { errorSummary, PolicySourceError } from "../errors.js";
import type { S3ObjectReader } from "../gateways/s3-objects.js";
import type { Policy } from "./schema.js";

export interface PolicyClients {
  /** SSM is the deployed default source, so its client is there from the start. */
  readonly ssm: () => SSMClient;
  /** Asynchronous because S3 support may be loaded on first use (only s3:// sources need it). */
  readonly s3: () => Promise<S3ObjectReader>;
}

export async function readPolicyText(source: string, clients: PolicyClients): Promise<string> {
  try {
    if (source.startsWith("ssm:")) {
      const name = source.slice("ssm:".length);
      const response = await clients
        .ssm()
        .send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      const value = response.Parameter?.Value;
      if (value === undefined) throw new PolicySourceError(`SSM parameter ${name} has no value`);
      return value;
    }
    if (source.startsWith("s3://")) {
      const [bucket = "", ...key] = source.slice("s3://".length).split("/");
      const text = await (await clients.s3()).readText(bucket, key.join("/"));
      if (text === undefined) throw new PolicySourceError(`S3 object ${source} is empty`);
      return text;
    }
    if (source.startsWith("file:")) return await readFile(source.slice("file:".length), "utf-8");
  } catch (error) {
    if (error instanceof PolicySourceError) throw error;
    throw new PolicySourceError(`cannot read the policy from ${source}: ${errorSummary(error)}`, {
      cause: error,
    });
  }
  throw new PolicySourceError(`unsupported policy source "${source}" (use ssm:, s3:// or file:)`);
}

/**
 * Reads and validates the policy. The parser (the YAML library and the zod policy schema, ~150 KB that Node must
 * compile and build) is imported while the text is being fetched: behind an SSM or S3 round trip its load costs
 * nothing, whereas as a static import it would lengthen every cold start's init. In the split Lambda bundles it is a
 * chunk of its own (see scripts/build.mjs).
 */
export async function loadPolicy(source: string, clients: PolicyClients): Promise<Policy> {
  // The read is started first, so the request is on the wire before the parser's compilation takes the thread.
  const [text, { parsePolicy }] = await Promise.all([readPolicyText(source, clients), import("./parse.js")]);
  return parsePolicy(text, source);
}

/**
 * One loaded policy per source for the container's life, re-read after `ttlSeconds` so an SSM change
 * takes effect without a redeploy. A failed load is not cached: the next invocation tries again.
 */
export function cachedPolicyLoader(
  clients: PolicyClients,
  ttlSeconds: number,
  now: () => number = Date.now,
): (source: string) => Promise<Policy> {
  const cache = new Map<string, { policy: Promise<Policy>; loadedAt: number }>();
  return (source) => {
    const cached = cache.get(source);
    if (cached && now() - cached.loadedAt < ttlSeconds * 1000) return cached.policy;
    const policy = loadPolicy(source, clients);
    cache.set(source, { policy, loadedAt: now() });
    policy.catch(() => {
      if (cache.get(source)?.policy === policy) cache.delete(source);
    });
    return policy;
  };
}
