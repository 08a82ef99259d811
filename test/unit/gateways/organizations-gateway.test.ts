import {
  AccessDeniedException,
  type Account,
  AccountNotFoundException,
  DescribeAccountCommand,
  ListAccountsCommand,
  ListParentsCommand,
  OrganizationsClient,
  TooManyRequestsException,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { OrganizationDirectory } from "../../../src/gateways/organization-directory.js";
import {
  describeAccount,
  listActiveAccounts,
  organizationsApi,
} from "../../../src/gateways/organizations-gateway.js";

const orgMock = mockClient(OrganizationsClient);

afterEach(() => {
  orgMock.reset();
});

const ROOT = "r-ab12";
const OU_PARENT = "ou-ab12-11111111";
const OU_CHILD = "ou-ab12-22222222";

function client(): OrganizationsClient {
  return new OrganizationsClient({ region: "us-east-1" });
}

/** What the runtime hands the directory: the gateway's reads, bound to a (mocked) client. */
async function api() {
  return organizationsApi(client());
}

const ORG = "o-a1b2c3d4e5";

/** An account as ListAccounts and DescribeAccount return it, with the ARN that names its organization. */
function account(
  id: string,
  state: Pick<Account, "State" | "Status"> = { State: "ACTIVE" },
  organizationId = ORG,
): Account {
  return {
    Id: id,
    Arn: `arn:aws:organizations::123456789012:account/${organizationId}/${id}`,
    Name: `account-${id}`,
    ...state,
  };
}

/** DescribeAccount's real response: the account under `Account`, with every field ListAccounts gives. */
function described(
  id: string,
  state: Pick<Account, "State" | "Status"> = { State: "ACTIVE" },
  organizationId = ORG,
): { Account: Account } {
  return {
    Account: {
      ...account(id, state, organizationId),
      Email: `aws+${id}@example.com`,
      Status: "ACTIVE",
      JoinedMethod: "CREATED",
      JoinedTimestamp: new Date("2025-06-01T00:00:00Z"),
      ...state,
    },
  };
}

const notFound = () =>
  new AccountNotFoundException({ message: "You specified an account that doesn't exist.", $metadata: {} });

/** Account → OU_CHILD → OU_PARENT → ROOT, the way ListParents answers one level at a time. */
function mockHierarchy(accounts: readonly string[]): void {
  for (const id of accounts)
    orgMock
      .on(ListParentsCommand, { ChildId: id })
      .resolves({ Parents: [{ Id: OU_CHILD, Type: "ORGANIZATIONAL_UNIT" }] });
  orgMock
    .on(ListParentsCommand, { ChildId: OU_CHILD })
    .resolves({ Parents: [{ Id: OU_PARENT, Type: "ORGANIZATIONAL_UNIT" }] });
  orgMock.on(ListParentsCommand, { ChildId: OU_PARENT }).resolves({ Parents: [{ Id: ROOT, Type: "ROOT" }] });
}

function clock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("listActiveAccounts", () => {
  it("follows NextToken through every page", async () => {
    // Prepare
    const pages = {
      first: { Accounts: [account("111111111111"), account("222222222222")], NextToken: "p2" },
      p2: { Accounts: [account("333333333333")], NextToken: "p3" },
      p3: { Accounts: [account("444444444444")] },
    };
    // The paginator reuses one input object, so tokens are read when each call is made.
    const tokens: Array<string | undefined> = [];
    orgMock.on(ListAccountsCommand).callsFake((input: { NextToken?: string }) => {
      tokens.push(input.NextToken);
      return input.NextToken === "p2" ? pages.p2 : input.NextToken === "p3" ? pages.p3 : pages.first;
    });

    // Act
    const accounts = await listActiveAccounts(client());

    // Assess
    expect(accounts.map((a) => a.accountId)).toEqual([
      "111111111111",
      "222222222222",
      "333333333333",
      "444444444444",
    ]);
    expect(tokens).toEqual([undefined, "p2", "p3"]);
  });

  it("reads each account's organization from its ARN", async () => {
    // Prepare
    orgMock.on(ListAccountsCommand).resolves({
      Accounts: [account("111111111111"), { Id: "222222222222", State: "ACTIVE" }],
    });

    // Act
    const accounts = await listActiveAccounts(client());

    // Assess
    expect(accounts).toEqual([
      { accountId: "111111111111", name: "account-111111111111", organizationId: ORG },
      { accountId: "222222222222" },
    ]);
  });

  it("keeps only ACTIVE accounts, reading the deprecated Status when State is absent", async () => {
    // Prepare
    orgMock.on(ListAccountsCommand).resolves({
      Accounts: [
        account("111111111111", { State: "ACTIVE" }),
        account("222222222222", { State: "SUSPENDED", Status: "ACTIVE" }),
        account("333333333333", { State: "PENDING_CLOSURE" }),
        account("444444444444", { Status: "ACTIVE" }),
        account("555555555555", { Status: "SUSPENDED" }),
        account("666666666666", { State: "CLOSED" }),
      ],
    });

    // Act
    const accounts = await listActiveAccounts(client());

    // Assess
    expect(accounts.map((a) => a.accountId)).toEqual(["111111111111", "444444444444"]);
  });
});

describe("describeAccount", () => {
  it("reads the account's organization from its ARN and its state, asking for that one account", async () => {
    // Prepare
    orgMock.on(DescribeAccountCommand).resolves(described("111111111111"));

    // Act
    const found = await describeAccount(client(), "111111111111");

    // Assess
    expect(found).toEqual({
      accountId: "111111111111",
      name: "account-111111111111",
      organizationId: ORG,
      active: true,
    });
    expect(orgMock).toHaveReceivedCommandWith(DescribeAccountCommand, { AccountId: "111111111111" });
  });

  it("calls a suspended account inactive, trusting State over the deprecated Status", async () => {
    // Prepare
    orgMock.on(DescribeAccountCommand).resolves({
      Account: { ...account("111111111111"), State: "SUSPENDED", Status: "ACTIVE" },
    });

    // Act
    const found = await describeAccount(client(), "111111111111");

    // Assess
    expect(found?.active).toBe(false);
  });

  it("takes no organization from an ARN that names another account", async () => {
    // Prepare
    orgMock.on(DescribeAccountCommand).resolves({
      Account: { ...account("222222222222"), Id: "111111111111" },
    });

    // Act
    const found = await describeAccount(client(), "111111111111");

    // Assess
    expect(found).toEqual({ accountId: "111111111111", name: "account-222222222222", active: true });
  });

  it("answers undefined for AccountNotFoundException: the organization has no such account", async () => {
    // Prepare
    orgMock.on(DescribeAccountCommand).rejects(notFound());

    // Act
    const found = await describeAccount(client(), "999999999999");

    // Assess
    expect(found).toBeUndefined();
  });

  it("lets throttling through instead of calling the account a non-member", async () => {
    // Prepare
    orgMock
      .on(DescribeAccountCommand)
      .rejects(new TooManyRequestsException({ message: "slow down", $metadata: {} }));

    // Act
    const lookup = describeAccount(client(), "111111111111");

    // Assess
    await expect(lookup).rejects.toBeInstanceOf(TooManyRequestsException);
  });
});

describe("OrganizationDirectory", () => {
  it("checks membership with DescribeAccount for that account, never listing the organization", async () => {
    // Prepare
    orgMock.on(DescribeAccountCommand).resolves(described("111111111111"));
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300 });

    // Act
    const member = await directory.isActiveMember("111111111111", ORG);

    // Assess
    expect(member).toBe(true);
    expect(orgMock).toHaveReceivedCommandWith(DescribeAccountCommand, { AccountId: "111111111111" });
    expect(orgMock).not.toHaveReceivedCommand(ListAccountsCommand);
  });

  it("describes each account once per TTL, concurrent checks sharing one call, then asks again", async () => {
    // Prepare
    orgMock
      .on(DescribeAccountCommand)
      .callsFake((input: { AccountId: string }) => described(input.AccountId));
    const time = clock();
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300, now: time.now });

    // Act
    const first = await Promise.all([
      directory.isActiveMember("111111111111", ORG),
      directory.isActiveMember("111111111111", ORG),
      directory.isActiveMember("222222222222", ORG),
    ]);
    time.advance(299_000);
    const second = await directory.isActiveMember("111111111111", ORG);
    const callsWithinTtl = orgMock.commandCalls(DescribeAccountCommand).length;
    time.advance(2_000);
    await directory.isActiveMember("111111111111", ORG);

    // Assess
    expect([...first, second]).toEqual([true, true, true, true]);
    expect(callsWithinTtl).toBe(2);
    expect(orgMock).toHaveReceivedCommandTimes(DescribeAccountCommand, 3);
  });

  it("admits only accounts of the organization asked about, and none whose ARN names no organization", async () => {
    // Prepare
    orgMock.on(DescribeAccountCommand, { AccountId: "111111111111" }).resolves(described("111111111111"));
    orgMock
      .on(DescribeAccountCommand, { AccountId: "222222222222" })
      .resolves(described("222222222222", { State: "ACTIVE" }, "o-otherorg99"));
    orgMock
      .on(DescribeAccountCommand, { AccountId: "333333333333" })
      .resolves({ Account: { Id: "333333333333", State: "ACTIVE" } });
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300 });

    // Act
    const answers = await Promise.all(
      ["111111111111", "222222222222", "333333333333"].map((id) => directory.isActiveMember(id, ORG)),
    );
    const asAnotherOrganization = await directory.isActiveMember("222222222222", "o-otherorg99");

    // Assess
    expect(answers).toEqual([true, false, false]);
    expect(asAnotherOrganization).toBe(true);
  });

  it("refuses a suspended or closing member of the organization", async () => {
    // Prepare
    orgMock
      .on(DescribeAccountCommand, { AccountId: "111111111111" })
      .resolves(described("111111111111", { State: "SUSPENDED", Status: "SUSPENDED" }));
    orgMock
      .on(DescribeAccountCommand, { AccountId: "222222222222" })
      .resolves(described("222222222222", { State: "PENDING_CLOSURE" }));
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300 });

    // Act
    const answers = await Promise.all(
      ["111111111111", "222222222222"].map((id) => directory.isActiveMember(id, ORG)),
    );

    // Assess
    expect(answers).toEqual([false, false]);
  });

  it("trusts 'not a member' for missRefreshSeconds only, so a forged stream costs one call per interval", async () => {
    // Prepare
    orgMock.on(DescribeAccountCommand).rejectsOnce(notFound()).resolves(described("999999999999"));
    const time = clock();
    const directory = new OrganizationDirectory(api, {
      ttlSeconds: 300,
      missRefreshSeconds: 30,
      now: time.now,
    });

    // Act
    const forged = await Promise.all(
      Array.from({ length: 20 }, () => directory.isActiveMember("999999999999", ORG)),
    );
    time.advance(29_000);
    const tooSoon = await directory.isActiveMember("999999999999", ORG);
    const callsWithinInterval = orgMock.commandCalls(DescribeAccountCommand).length;
    time.advance(2_000);
    const afterRefresh = await directory.isActiveMember("999999999999", ORG);

    // Assess
    expect(new Set(forged)).toEqual(new Set([false]));
    expect(tooSoon).toBe(false);
    expect(callsWithinInterval).toBe(1);
    expect(afterRefresh).toBe(true);
  });

  it("does not cache a throttled or denied lookup, and lets the error through instead of refusing", async () => {
    // Prepare
    orgMock
      .on(DescribeAccountCommand)
      .rejectsOnce(new TooManyRequestsException({ message: "slow down", $metadata: {} }))
      .rejectsOnce(new AccessDeniedException({ message: "not allowed", $metadata: {} }))
      .resolves(described("111111111111"));
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300 });

    // Act
    const first = directory.isActiveMember("111111111111", ORG);
    await first.catch(() => undefined);
    const second = directory.isActiveMember("111111111111", ORG);
    await second.catch(() => undefined);
    const third = await directory.isActiveMember("111111111111", ORG);

    // Assess
    await expect(first).rejects.toBeInstanceOf(TooManyRequestsException);
    await expect(second).rejects.toBeInstanceOf(AccessDeniedException);
    expect(third).toBe(true);
    expect(orgMock).toHaveReceivedCommandTimes(DescribeAccountCommand, 3);
  });

  it("answers from a fresh account list when the coordinator has one, without describing the account", async () => {
    // Prepare
    orgMock.on(ListAccountsCommand).resolves({
      Accounts: [account("111111111111"), account("222222222222", { State: "ACTIVE" }, "o-otherorg99")],
    });
    const time = clock();
    const directory = new OrganizationDirectory(api, {
      ttlSeconds: 300,
      missRefreshSeconds: 30,
      now: time.now,
    });

    // Act
    const listed = await directory.activeAccounts();
    const answers = await Promise.all(
      ["111111111111", "222222222222", "999999999999"].map((id) => directory.isActiveMember(id, ORG)),
    );

    // Assess
    expect(listed).toHaveLength(2);
    expect(answers).toEqual([true, false, false]);
    expect(orgMock).not.toHaveReceivedCommand(DescribeAccountCommand);
  });

  it("describes an account missing from a list older than missRefreshSeconds, so a new account is admitted", async () => {
    // Prepare
    orgMock.on(ListAccountsCommand).resolves({ Accounts: [account("111111111111")] });
    orgMock.on(DescribeAccountCommand).resolves(described("999999999999"));
    const time = clock();
    const directory = new OrganizationDirectory(api, {
      ttlSeconds: 300,
      missRefreshSeconds: 30,
      now: time.now,
    });

    // Act
    await directory.activeAccounts();
    time.advance(10_000);
    const tooSoon = await directory.isActiveMember("999999999999", ORG);
    time.advance(25_000);
    const afterRefresh = await directory.isActiveMember("999999999999", ORG);

    // Assess
    expect(tooSoon).toBe(false);
    expect(afterRefresh).toBe(true);
    expect(orgMock).toHaveReceivedCommandTimes(ListAccountsCommand, 1);
    expect(orgMock).toHaveReceivedCommandTimes(DescribeAccountCommand, 1);
  });

  it("reads the account list once per TTL for the coordinator, and again after a failed read", async () => {
    // Prepare
    orgMock
      .on(ListAccountsCommand)
      .rejectsOnce(new TooManyRequestsException({ message: "slow down", $metadata: {} }))
      .resolves({ Accounts: [account("111111111111")] });
    const time = clock();
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300, now: time.now });

    // Act
    const failed = directory.activeAccounts();
    await failed.catch(() => undefined);
    await directory.activeAccounts();
    await directory.activeAccounts();
    const callsWithinTtl = orgMock.commandCalls(ListAccountsCommand).length;
    time.advance(301_000);
    await directory.activeAccounts();

    // Assess
    await expect(failed).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(callsWithinTtl).toBe(2);
    expect(orgMock).toHaveReceivedCommandTimes(ListAccountsCommand, 3);
  });

  it("lists every OU above an account, nearest first, without the root", async () => {
    // Prepare
    mockHierarchy(["111111111111"]);
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300 });

    // Act
    const ous = await directory.organizationalUnitsOf("111111111111");

    // Assess
    expect(ous).toEqual([OU_CHILD, OU_PARENT]);
  });

  it("reads each OU's parent once per container: a second account in the same OU costs one ListParents", async () => {
    // Prepare
    mockHierarchy(["111111111111", "222222222222"]);
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300 });

    // Act
    await directory.organizationalUnitsOf("111111111111");
    const callsForFirst = orgMock.commandCalls(ListParentsCommand).length;
    const second = await directory.organizationalUnitsOf("222222222222");

    // Assess
    expect(second).toEqual([OU_CHILD, OU_PARENT]);
    expect(callsForFirst).toBe(3);
    expect(orgMock).toHaveReceivedCommandTimes(ListParentsCommand, 4);
  });

  it("gives an account directly under the root no OUs", async () => {
    // Prepare
    orgMock.on(ListParentsCommand).resolves({ Parents: [{ Id: ROOT, Type: "ROOT" }] });
    const directory = new OrganizationDirectory(api, { ttlSeconds: 300 });

    // Act
    const ous = await directory.organizationalUnitsOf("111111111111");

    // Assess
    expect(ous).toEqual([]);
  });
});
