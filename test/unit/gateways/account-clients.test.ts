import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { type AccountRegion, accountRegion } from "../../../src/domain/resources.js";
import { AssumeRoleError } from "../../../src/errors.js";
import { AccountClients, type AccountClientsOptions } from "../../../src/gateways/account-clients.js";
import { accountId, regionName } from "../support/builders.js";

const stsMock = mockClient(STSClient);

afterEach(() => {
  stsMock.reset();
});

const HOME = "111111111111";
const MEMBER = "222222222222";
const MINUTE = 60_000;
const T0 = Date.UTC(2025, 10, 20, 14, 0, 0);

function target(account: string, region = "us-east-1"): AccountRegion {
  return accountRegion(accountId(account), regionName(region));
}

function accountClients(options: Partial<AccountClientsOptions> = {}): AccountClients {
  return new AccountClients({
    sts: new STSClient({ region: "us-east-1" }),
    memberRoleName: "FlowLogEnforcerMemberRole",
    clientConfig: { maxAttempts: 3 },
    homeAccountId: HOME,
    ...options,
  });
}

function assumed(expiresAt: number, accessKeyId = "ASIAASSUMED") {
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: "secret",
      SessionToken: "session",
      Expiration: new Date(expiresAt),
    },
  };
}

function accessDenied(): STSServiceException {
  return new STSServiceException({
    name: "AccessDenied",
    $fault: "client",
    $metadata: { httpStatusCode: 403 },
    message: "User is not authorized to perform: sts:AssumeRole",
  });
}

describe("AccountClients", () => {
  it("uses the function's own credentials in the home account: no AssumeRole", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(assumed(T0 + 60 * MINUTE));
    const clients = accountClients();

    // Act
    await clients.verifyAccess(target(HOME));
    const ec2 = await clients.ec2For(target(HOME, "eu-west-1"));

    // Assess
    expect(await ec2.config.region()).toBe("eu-west-1");
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it("asks STS for the home account once when it is not given", async () => {
    // Prepare
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: HOME });
    stsMock.on(AssumeRoleCommand).resolves(assumed(T0 + 60 * MINUTE));
    const clients = accountClients({ homeAccountId: undefined });

    // Act
    await clients.verifyAccess(target(HOME));
    await clients.verifyAccess(target(HOME, "eu-west-1"));

    // Assess
    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it("assumes the member role of another account, in the account's partition", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(assumed(T0 + 60 * MINUTE));
    const clients = accountClients({ now: () => T0 });

    // Act
    await clients.verifyAccess(target(MEMBER, "cn-north-1"));

    // Assess
    expect(stsMock).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: `arn:aws-cn:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`,
      RoleSessionName: "vpc-flow-log-enforcer",
    });
  });

  it("gives another account's EC2 client the assumed role's credentials", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(assumed(T0 + 60 * MINUTE, "ASIAMEMBERKEY"));
    const clients = accountClients({ now: () => T0 });

    // Act
    const ec2 = await clients.ec2For(target(MEMBER));
    const credentials = await ec2.config.credentials();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: "ASIAMEMBERKEY",
      secretAccessKey: "secret",
      sessionToken: "session",
    });
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`,
    });
  });

  it("reuses one client per account-region", async () => {
    // Prepare
    const clients = accountClients();

    // Act
    const first = await clients.ec2For(target(HOME));
    const again = await clients.ec2For(target(HOME));
    const otherRegion = await clients.ec2For(target(HOME, "eu-west-1"));

    // Assess
    expect(again).toBe(first);
    expect(otherRegion).not.toBe(first);
  });

  it("caches the member role's credentials across calls and regions of one account", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(assumed(T0 + 60 * MINUTE));
    const clients = accountClients({ now: () => T0 });

    // Act
    await clients.verifyAccess(target(MEMBER));
    await clients.verifyAccess(target(MEMBER, "eu-west-1"));
    await (await clients.ec2For(target(MEMBER))).config.credentials();

    // Assess
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it.each([
    ["six minutes", 1, 54 * MINUTE],
    ["just under five minutes", 2, 55 * MINUTE + 1],
  ])("with %s left on the credentials, assumes the role %i time(s) in all", async (_, calls, elapsed) => {
    // Prepare
    stsMock
      .on(AssumeRoleCommand)
      .resolvesOnce(assumed(T0 + 60 * MINUTE, "ASIAFIRST"))
      .resolvesOnce(assumed(T0 + 120 * MINUTE, "ASIASECOND"));
    let now = T0;
    const clients = accountClients({ now: () => now });
    await clients.verifyAccess(target(MEMBER));

    // Act
    now = T0 + elapsed;
    await clients.verifyAccess(target(MEMBER));

    // Assess
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, calls);
  });

  it("raises AssumeRoleError naming the role ARN when the role cannot be assumed", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).rejects(accessDenied());
    const clients = accountClients({ now: () => T0 });

    // Act
    const error = await clients.verifyAccess(target(MEMBER)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect(error).toMatchObject({
      roleArn: `arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`,
      message: `cannot assume arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole: AccessDenied: User is not authorized to perform: sts:AssumeRole`,
    });
  });

  it("does not cache a failed AssumeRole: the next call tries again and succeeds", async () => {
    // Prepare
    stsMock
      .on(AssumeRoleCommand)
      .rejectsOnce(accessDenied())
      .resolvesOnce(assumed(T0 + 60 * MINUTE));
    const clients = accountClients({ now: () => T0 });

    // Act
    const failure = await clients.verifyAccess(target(MEMBER)).catch((caught: unknown) => caught);
    const retry = clients.verifyAccess(target(MEMBER));

    // Assess
    expect(failure).toBeInstanceOf(AssumeRoleError);
    await expect(retry).resolves.toBeUndefined();
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it("treats an AssumeRole answer without credentials as a failure", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves({});
    const clients = accountClients({ now: () => T0 });

    // Act
    const verifying = clients.verifyAccess(target(MEMBER));

    // Assess
    await expect(verifying).rejects.toThrow(AssumeRoleError);
    await expect(verifying).rejects.toThrow("AssumeRole returned no credentials");
  });
});
