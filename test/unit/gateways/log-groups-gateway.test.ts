import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createLogGroupsGateway } from "../../../src/gateways/log-groups-gateway.js";
import { target } from "../support/builders.js";

const logsMock = mockClient(CloudWatchLogsClient);

afterEach(() => {
  logsMock.reset();
});

function gateway() {
  return createLogGroupsGateway(new CloudWatchLogsClient({ region: "us-east-1" }), target("111111111111"));
}

describe("log groups gateway", () => {
  it("finds a group by exact name among the prefix's matches, across pages", async () => {
    // Prepare: DescribeLogGroups filters by prefix, so /vpc-flow-logs/a matches /vpc-flow-logs/ab too.
    logsMock
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: "/vpc-flow-logs/a" })
      .resolvesOnce({
        logGroups: [{ logGroupName: "/vpc-flow-logs/aa", retentionInDays: 7 }],
        nextToken: "page-2",
      })
      .resolvesOnce({
        logGroups: [
          {
            logGroupName: "/vpc-flow-logs/a",
            retentionInDays: 30,
            logGroupClass: "STANDARD",
            kmsKeyId: "arn:aws:kms:us-east-1:111111111111:key/k",
          },
        ],
      });
    logsMock
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: "/vpc-flow-logs/missing" })
      .resolves({ logGroups: [] });

    // Act
    const found = await gateway().describeLogGroups(["/vpc-flow-logs/a", "/vpc-flow-logs/missing"]);

    // Assess
    expect([...found]).toEqual([
      [
        "/vpc-flow-logs/a",
        {
          name: "/vpc-flow-logs/a",
          retentionDays: 30,
          class: "STANDARD",
          kmsKeyId: "arn:aws:kms:us-east-1:111111111111:key/k",
        },
      ],
    ]);
  });

  it("creates a group with its key, class and the enforcer's tag, then sets its retention", async () => {
    // Prepare
    logsMock.on(CreateLogGroupCommand).resolves({});
    logsMock.on(PutRetentionPolicyCommand).resolves({});

    // Act
    await gateway().createLogGroup("/vpc-flow-logs/a", {
      retentionDays: 90,
      kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/k",
      class: "INFREQUENT_ACCESS",
    });

    // Assess
    expect(logsMock).toHaveReceivedCommandWith(CreateLogGroupCommand, {
      logGroupName: "/vpc-flow-logs/a",
      kmsKeyId: "arn:aws:kms:us-east-1:111111111111:key/k",
      logGroupClass: "INFREQUENT_ACCESS",
      tags: { CreatedBy: "vpc-flow-log-enforcer" },
    });
    expect(logsMock).toHaveReceivedCommandWith(PutRetentionPolicyCommand, {
      logGroupName: "/vpc-flow-logs/a",
      retentionInDays: 90,
    });
  });

  it("treats a group created meanwhile as created, and still sets its retention", async () => {
    // Prepare
    logsMock.on(CreateLogGroupCommand).rejects(
      new ResourceAlreadyExistsException({
        message: "The specified log group already exists",
        $metadata: {},
      }),
    );
    logsMock.on(PutRetentionPolicyCommand).resolves({});

    // Act
    await gateway().createLogGroup("/vpc-flow-logs/a", { retentionDays: 14 });

    // Assess
    expect(logsMock).toHaveReceivedCommandTimes(PutRetentionPolicyCommand, 1);
  });

  it("knows a group it created by its tag, read by the group's ARN", async () => {
    // Prepare
    logsMock.on(ListTagsForResourceCommand).resolves({ tags: { team: "net" } });
    logsMock
      .on(ListTagsForResourceCommand, {
        resourceArn: "arn:aws:logs:us-east-1:111111111111:log-group:/vpc-flow-logs/a",
      })
      .resolves({ tags: { CreatedBy: "vpc-flow-log-enforcer" } });

    // Act / Assess
    expect(await gateway().createdByEnforcer("/vpc-flow-logs/a")).toBe(true);
    expect(await gateway().createdByEnforcer("/vpc-flow-logs/b")).toBe(false);
  });
});
