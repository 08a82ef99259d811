// Points the AWS SDK of an integration test file at the run's moto, through environment variables only.
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, inject } from "vitest";
import { resetMoto } from "./moto.js";

export interface MotoEnvOptions {
  /** Defaults to us-east-1. */
  readonly region?: string;
}

/** Static credentials in the shape every SDK client's `credentials` option accepts. */
export interface TestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

// moto maps unknown access keys to account 123456789012.
const DUMMY_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" } as const;
// Set in a developer's shell, these would take precedence over AWS_ENDPOINT_URL or pair with the dummy keys.
const SHADOWING_VARIABLES =
  /^(AWS_ENDPOINT_URL_.+|AWS_IGNORE_CONFIGURED_ENDPOINT_URLS|AWS_SESSION_TOKEN|AWS_PROFILE)$/;

/**
 * Call at the top of an integration test file. Sets AWS_ENDPOINT_URL to moto, AWS_REGION, dummy credentials
 * and AWS_MAX_ATTEMPTS=2 right away (so modules imported later in the file see them) and restores the
 * environment in afterAll; resets moto in beforeAll so the file starts from empty state.
 * Returns the moto endpoint.
 */
export function useMoto(options: MotoEnvOptions = {}): () => string {
  const endpoint = inject("motoEndpoint");
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) {
    if (SHADOWING_VARIABLES.test(name)) {
      delete process.env[name];
    }
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: options.region ?? "us-east-1",
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    AWS_MAX_ATTEMPTS: "2",
  });

  beforeAll(async () => {
    await resetMoto(endpoint);
  });
  afterAll(() => {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) {
        delete process.env[name];
      }
    }
    Object.assign(process.env, saved);
  });

  return () => endpoint;
}

/**
 * Credentials for `accountId` in moto, obtained by AssumeRole into `arn:aws:iam::<accountId>:role/<roleName>`
 * (moto scopes resources by the assumed role's account; the role need not exist).
 */
export async function credentialsForAccount(
  endpoint: string,
  accountId: string,
  roleName = "test",
): Promise<TestCredentials> {
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`account ID must be 12 digits, got "${accountId}"`);
  }
  const sts = new STSClient({ endpoint, region: "us-east-1", credentials: DUMMY_CREDENTIALS });
  try {
    const { Credentials: credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
        RoleSessionName: `test-${accountId}`,
      }),
    );
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new Error(`AssumeRole into ${accountId} returned no credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    };
  } finally {
    sts.destroy();
  }
}
