// EC2 clients per account-region: the function's own credentials at home, the member role elsewhere.
// Credentials are cached per account until five minutes before they expire.
import { EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { AccountRegion } from "../domain/resources.js";
import { AssumeRoleError } from "../errors.js";

const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const SESSION_NAME = "vpc-flow-log-enforcer";

export interface AccountClientsOptions {
  readonly sts: STSClient;
  readonly memberRoleName: string;
  readonly maxAttempts: number;
  /** The caller's account when known without a call (the Lambda function ARN); otherwise asked of STS once. */
  readonly homeAccountId?: string;
  readonly now?: () => number;
}

export class AccountClients {
  private readonly clients = new Map<string, EC2Client>();
  private readonly credentials = new Map<string, Promise<AwsCredentialIdentity>>();
  private homeAccount: Promise<string> | undefined;

  constructor(private readonly options: AccountClientsOptions) {
    if (options.homeAccountId) this.homeAccount = Promise.resolve(options.homeAccountId);
  }

  /** Sets the home account once it is known (the first Lambda context carries it). */
  setHomeAccount(accountId: string): void {
    this.homeAccount ??= Promise.resolve(accountId);
  }

  async ec2For(target: AccountRegion): Promise<EC2Client> {
    const key = `${target.accountId}/${target.region}`;
    const existing = this.clients.get(key);
    if (existing) return existing;
    const home = await this.homeAccountId();
    const client = new EC2Client({
      region: target.region,
      retryMode: "adaptive",
      maxAttempts: this.options.maxAttempts,
      ...(target.accountId === home ? {} : { credentials: () => this.assumedCredentials(target) }),
    });
    this.clients.set(key, client);
    return client;
  }

  /**
   * Credentials for another kind of SDK client in the account (Config's PutEvaluations, say): undefined — the
   * client's default chain — at home, the cached member-role credentials elsewhere.
   */
  async credentialsFor(target: AccountRegion): Promise<(() => Promise<AwsCredentialIdentity>) | undefined> {
    return target.accountId === (await this.homeAccountId())
      ? undefined
      : () => this.assumedCredentials(target);
  }

  /** True for the function's own account, which is reached with its own credentials (no AssumeRole). */
  async isHome(accountId: string): Promise<boolean> {
    return accountId === (await this.homeAccountId());
  }

  /** Assumes the member role now (or reuses cached credentials), so an unusable role surfaces before any work. */
  async verifyAccess(target: AccountRegion): Promise<void> {
    if (target.accountId !== (await this.homeAccountId())) await this.assumedCredentials(target);
  }

  memberRoleArn(target: Pick<AccountRegion, "accountId" | "partition">): string {
    return `arn:${target.partition}:iam::${target.accountId}:role/${this.options.memberRoleName}`;
  }

  private homeAccountId(): Promise<string> {
    this.homeAccount ??= this.options.sts.send(new GetCallerIdentityCommand({})).then(
      (identity) => {
        if (!identity.Account) throw new Error("GetCallerIdentity returned no account");
        return identity.Account;
      },
      (error: unknown) => {
        // Not cached: a transient STS failure must not break the container for good.
        this.homeAccount = undefined;
        throw error;
      },
    );
    return this.homeAccount;
  }

  private assumedCredentials(target: AccountRegion): Promise<AwsCredentialIdentity> {
    const now = this.options.now ?? Date.now;
    const cached = this.credentials.get(target.accountId);
    if (cached) {
      const fresh = cached.then((c) => (c.expiration?.getTime() ?? 0) - now() > REFRESH_MARGIN_MS);
      return fresh.then((ok) => (ok ? cached : this.assume(target)));
    }
    return this.assume(target);
  }

  private assume(target: AccountRegion): Promise<AwsCredentialIdentity> {
    const roleArn = this.memberRoleArn(target);
    const pending = this.options.sts
      .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, DurationSeconds: 3600 }))
      .then(({ Credentials: c }) => {
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("AssumeRole returned no credentials");
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
          ...(c.Expiration ? { expiration: c.Expiration } : {}),
        };
      })
      .catch((error: unknown) => {
        this.credentials.delete(target.accountId);
        throw new AssumeRoleError(roleArn, error);
      });
    this.credentials.set(target.accountId, pending);
    return pending;
  }
}
