// SDK clients per account-region, for every service the product calls in member accounts (EC2, Config, …): the
// function's own credentials at home, the member role elsewhere. One client per service and account-region, and
// one set of assumed credentials per account, cached until five minutes before they expire.
import { EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { type AccountRegion, accountRegionKey } from "../domain/resources.js";
import { AssumeRoleError } from "../errors.js";

const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const SESSION_NAME = "vpc-flow-log-enforcer";

/** What every per-account client is built with, besides its region and credentials (retries, timeouts). */
export type BaseClientConfig = Readonly<Record<string, unknown>>;

/** The configuration a per-account client factory receives. */
export interface AccountClientConfig extends BaseClientConfig {
  readonly region: string;
  readonly credentials?: () => Promise<AwsCredentialIdentity>;
}

export interface AccountClientsOptions {
  readonly sts: STSClient;
  readonly memberRoleName: string;
  /** Retry and timeout settings every client shares. */
  readonly clientConfig: BaseClientConfig;
  /** The caller's account when known without a call (the Lambda function ARN); otherwise asked of STS once. */
  readonly homeAccountId?: string;
  readonly now?: () => number;
}

export class AccountClients {
  private readonly clients = new Map<string, unknown>();
  private readonly credentials = new Map<string, Promise<AwsCredentialIdentity>>();
  private homeAccount: Promise<string> | undefined;

  constructor(private readonly options: AccountClientsOptions) {
    if (options.homeAccountId) this.homeAccount = Promise.resolve(options.homeAccountId);
  }

  /** Sets the home account once it is known (the first Lambda context carries it). */
  setHomeAccount(accountId: string): void {
    this.homeAccount ??= Promise.resolve(accountId);
  }

  /**
   * The `service` client for the account-region, built by `create` on first use and reused after: with the
   * function's own credentials at home, with the member role's (assumed when first needed) elsewhere.
   */
  async clientFor<C>(
    service: string,
    target: AccountRegion,
    create: (config: AccountClientConfig) => C,
  ): Promise<C> {
    const key = `${service}:${accountRegionKey(target)}`;
    if (this.clients.has(key)) return this.clients.get(key) as C;
    const home = target.accountId === (await this.homeAccountId());
    // Checked again: another caller may have built it while the home account was being learnt.
    if (this.clients.has(key)) return this.clients.get(key) as C;
    const client = create({
      ...this.options.clientConfig,
      region: target.region,
      ...(home ? {} : { credentials: () => this.assumedCredentials(target) }),
    });
    this.clients.set(key, client);
    return client;
  }

  ec2For(target: AccountRegion): Promise<EC2Client> {
    return this.clientFor("ec2", target, (config) => new EC2Client(config));
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
