// Reads the policy from where a PolicySource says (SSM parameter, S3 object or file), validates it, caches it with a
// TTL. The only module that does policy I/O; the grammar of sources is policy/policy-source.ts.
import { readFile } from "node:fs/promises";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { errorSummary, PolicySourceError } from "../errors.js";
import { type LoadedPolicy, type PolicySource, policySourceText } from "../policy/policy-source.js";
import type { S3ObjectReader } from "./s3-objects.js";

export interface PolicyStoreClients {
  /** SSM is the deployed default source, so its client is there from the start. */
  readonly ssm: () => SSMClient;
  /** Asynchronous because S3 support may be loaded on first use (only s3:// sources need it). */
  readonly s3: () => Promise<S3ObjectReader>;
}

/** The policy's text, and the SSM parameter's Version, which the same GetParameter returns. */
export interface PolicyText {
  readonly text: string;
  readonly version?: string;
}

export async function readPolicyText(source: PolicySource, clients: PolicyStoreClients): Promise<PolicyText> {
  try {
    switch (source.kind) {
      case "ssm": {
        const response = await clients
          .ssm()
          .send(new GetParameterCommand({ Name: source.parameterName, WithDecryption: true }));
        const value = response.Parameter?.Value;
        if (value === undefined)
          throw new PolicySourceError(`SSM parameter ${source.parameterName} has no value`);
        const version = response.Parameter?.Version;
        return version === undefined ? { text: value } : { text: value, version: String(version) };
      }
      case "s3": {
        const text = await (await clients.s3()).readText(source.bucket, source.key);
        if (text === undefined) throw new PolicySourceError(`S3 object ${policySourceText(source)} is empty`);
        return { text };
      }
      case "file":
        return { text: await readFile(source.path, "utf-8") };
    }
  } catch (error) {
    if (error instanceof PolicySourceError) throw error;
    throw new PolicySourceError(
      `cannot read the policy from ${policySourceText(source)}: ${errorSummary(error)}`,
      { cause: error },
    );
  }
}

/**
 * Reads and validates the policy. The parser (the YAML library and the zod policy schema, ~150 KB that Node must
 * compile and build) is imported while the text is being fetched: behind an SSM or S3 round trip its load costs
 * nothing, whereas as a static import it would lengthen every cold start's init. In the split Lambda bundles it is a
 * chunk of its own (see scripts/build.mjs).
 */
export async function loadPolicy(source: PolicySource, clients: PolicyStoreClients): Promise<LoadedPolicy> {
  // The read is started first, so the request is on the wire before the parser's compilation takes the thread.
  const [{ text, version }, { parsePolicy }] = await Promise.all([
    readPolicyText(source, clients),
    import("../policy/parse.js"),
  ]);
  const name = policySourceText(source);
  const policy = parsePolicy(text, name);
  return version === undefined ? { policy, source: name } : { policy, source: name, version };
}

/**
 * One loaded policy per source for the container's life, re-read after `ttlSeconds` so an SSM change
 * takes effect without a redeploy. A failed load is not cached: the next invocation tries again.
 */
export function cachedPolicyLoader(
  clients: PolicyStoreClients,
  ttlSeconds: number,
  now: () => number = Date.now,
): (source: PolicySource) => Promise<LoadedPolicy> {
  const cache = new Map<string, { policy: Promise<LoadedPolicy>; loadedAt: number }>();
  return (source) => {
    const key = policySourceText(source);
    const cached = cache.get(key);
    if (cached && now() - cached.loadedAt < ttlSeconds * 1000) return cached.policy;
    const policy = loadPolicy(source, clients);
    cache.set(key, { policy, loadedAt: now() });
    policy.catch(() => {
      if (cache.get(key)?.policy === policy) cache.delete(key);
    });
    return policy;
  };
}
