// Loads the policy from POLICY_SOURCE (SSM parameter, S3 object or file), validates it, caches it with a TTL.
import { readFile } from "node:fs/promises";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { errorSummary, PolicySourceError } from "../errors.js";
import { parsePolicy } from "./parse.js";
import type { Policy } from "./schema.js";

export interface PolicyClients {
  readonly ssm: () => SSMClient;
  readonly s3: () => S3Client;
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
      const response = await clients.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key.join("/") }));
      if (response.Body === undefined) throw new PolicySourceError(`S3 object ${source} is empty`);
      return await response.Body.transformToString("utf-8");
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

export async function loadPolicy(source: string, clients: PolicyClients): Promise<Policy> {
  return parsePolicy(await readPolicyText(source, clients), source);
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
