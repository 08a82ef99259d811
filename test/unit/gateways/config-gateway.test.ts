import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  PutEvaluationsCommand,
} from "@aws-sdk/client-config-service";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigEvaluation } from "../../../src/domain/config-evaluation.js";
import { PutEvaluationsError } from "../../../src/errors.js";
import { AccountClients } from "../../../src/gateways/account-clients.js";
import { configServiceFor, putEvaluationsBatched } from "../../../src/gateways/config-gateway.js";
import { target } from "../support/builders.js";

const configMock = mockClient(ConfigServiceClient);
const stsMock = mockClient(STSClient);

afterEach(() => {
  configMock.reset();
  stsMock.reset();
});

const AT = new Date("2026-11-22T00:00:04.557Z");
const TOKEN = "eyJyZXN1bHRUb2tlbiI6ImV4YW1wbGUifQ==";

function evaluations(count: number): ConfigEvaluation[] {
  return Array.from({ length: count }, (_, index) => ({
    resourceType: "AWS::EC2::VPC",
    resourceId: `vpc-${index.toString(16).padStart(17, "0")}`,
    complianceType: "NON_COMPLIANT",
    annotation: "no ACTIVE flow log to arn:aws:s3:::central-flow-logs; found none",
    orderingTimestamp: AT,
  }));
}

function client(): ConfigServiceClient {
  return new ConfigServiceClient({ region: "us-east-1" });
}

describe("putEvaluationsBatched", () => {
  it("sends 250 evaluations in three calls of at most 100, in order", async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const all = evaluations(250);

    // Act
    const result = await putEvaluationsBatched(client(), TOKEN, all);

    // Assess
    expect(result).toEqual({ calls: 3 });
    const sent = configMock.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input);
    expect(sent.map((input) => input.Evaluations?.length)).toEqual([100, 100, 50]);
    expect(sent.flatMap((input) => input.Evaluations?.map((e) => e.ComplianceResourceId))).toEqual(
      all.map((e) => e.resourceId),
    );
  });

  it("maps each evaluation to the SDK's shape with the result token, and no TestMode for a real token", async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).resolves({});

    // Act
    await putEvaluationsBatched(client(), TOKEN, evaluations(1));

    // Assess
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: TOKEN,
      Evaluations: [
        {
          ComplianceResourceType: "AWS::EC2::VPC",
          ComplianceResourceId: "vpc-00000000000000000",
          ComplianceType: "NON_COMPLIANT",
          Annotation: "no ACTIVE flow log to arn:aws:s3:::central-flow-logs; found none",
          OrderingTimestamp: AT,
        },
      ],
    });
    expect(configMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input).not.toHaveProperty("TestMode");
  });

  it("sets TestMode on every batch when the result token is TESTMODE", async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).resolves({});

    // Act
    await putEvaluationsBatched(client(), "TESTMODE", evaluations(101));

    // Assess
    const inputs = configMock.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => [input.ResultToken, input.TestMode])).toEqual([
      ["TESTMODE", true],
      ["TESTMODE", true],
    ]);
  });

  it("sends the other batches when one fails, then names what Config did not get", async () => {
    // Prepare
    const throttled = new ConfigServiceServiceException({
      name: "ThrottlingException",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      message: "Rate exceeded",
    });
    configMock.on(PutEvaluationsCommand).rejectsOnce(throttled).resolves({});
    const all = evaluations(150);

    // Act
    const sending = putEvaluationsBatched(client(), TOKEN, all);

    // Assess
    const error = await sending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PutEvaluationsError);
    expect(error).toMatchObject({ sent: 50, cause: throttled });
    expect((error instanceof PutEvaluationsError ? error.rejected : []).length).toBe(100);
    expect(String(error)).toContain("vpc-00000000000000000: ThrottlingException: Rate exceeded");
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });

  it("reports evaluations returned in FailedEvaluations", async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [
        {
          ComplianceResourceType: "AWS::EC2::VPC",
          ComplianceResourceId: "vpc-00000000000000001",
          ComplianceType: "NON_COMPLIANT",
          OrderingTimestamp: AT,
        },
      ],
    });

    // Act
    const sending = putEvaluationsBatched(client(), TOKEN, evaluations(2));

    // Assess
    await expect(sending).rejects.toThrow(
      "PutEvaluations did not accept 1 evaluation(s) (1 accepted): vpc-00000000000000001: rejected as NON_COMPLIANT evaluation",
    );
  });
});

describe("configServiceFor", () => {
  const HOME = "111111111111";
  const MEMBER = "222222222222";

  function accounts(): AccountClients {
    return new AccountClients({
      sts: new STSClient({ region: "us-east-1" }),
      memberRoleName: "FlowLogEnforcerMemberRole",
      clientConfig: { maxAttempts: 1 },
      homeAccountId: HOME,
    });
  }

  it("sends a member account's evaluations with the member role, and the home account's with its own credentials", async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIAMEMBER",
        SecretAccessKey: "secret",
        SessionToken: "session",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    const clients = accounts();

    // Act
    const member = await configServiceFor(clients, target(MEMBER));
    const memberCredentials = await member.config.credentials();
    const home = await configServiceFor(clients, target(HOME));

    // Assess
    expect(memberCredentials.accessKeyId).toBe("ASIAMEMBER");
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/FlowLogEnforcerMemberRole`,
    });
    expect(await home.config.region()).toBe("us-east-1");
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it("creates one client per account-region and reuses it", async () => {
    // Prepare
    const clients = accounts();

    // Act
    const first = await configServiceFor(clients, target(HOME));
    const again = await configServiceFor(clients, target(HOME));
    const otherRegion = await configServiceFor(clients, target(HOME, "eu-west-1"));

    // Assess
    expect(again).toBe(first);
    expect(otherRegion).not.toBe(first);
    expect(await otherRegion.config.region()).toBe("eu-west-1");
  });
});
