// CloudWatch Logs for one account-region, behind the engine's LogGroupPort: describe, create (key, class, retention,
// the enforcer's tag) and fix retention of log groups. Loaded on first use (a chunk of its own): only a policy whose
// cloud-watch-logs destination carries `logGroup` settings ever needs it.
import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  CreateLogGroupCommand,
  ListTagsForResourceCommand,
  type LogGroup,
  PutRetentionPolicyCommand,
  paginateDescribeLogGroups,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-cloudwatch-logs";
import type { AccountRegion } from "../domain/resources.js";
import type { ExistingLogGroup, LogGroupPort } from "../engine/ports.js";
import { errorSummary } from "../errors.js";
import { logger } from "../observability.js";

/** The tag that marks a log group the enforcer created: only those get their retention changed. */
export const CREATED_BY_TAG = { key: "CreatedBy", value: "vpc-flow-log-enforcer" } as const;

export function createLogGroupsGateway(logs: CloudWatchLogsClient, where: AccountRegion): LogGroupPort {
  const arnOf = (name: string) =>
    `arn:${where.partition}:logs:${where.region}:${where.accountId}:log-group:${name}`;
  return {
    describeLogGroups: async (names) => {
      const found = new Map<string, ExistingLogGroup>();
      // DescribeLogGroups filters by prefix: page until the exact name shows up (names sort first among their
      // extensions), one listing per distinct name.
      await Promise.all(
        [...new Set(names)].map(async (name) => {
          for await (const page of paginateDescribeLogGroups(
            { client: logs },
            { logGroupNamePrefix: name },
          )) {
            const group = (page.logGroups ?? []).find((candidate) => candidate.logGroupName === name);
            if (group !== undefined) {
              found.set(name, toExisting(name, group));
              return;
            }
          }
        }),
      );
      return found;
    },
    createLogGroup: async (name, settings) => {
      try {
        await logs.send(
          new CreateLogGroupCommand({
            logGroupName: name,
            ...(settings.kmsKeyArn === undefined ? {} : { kmsKeyId: settings.kmsKeyArn }),
            ...(settings.class === undefined ? {} : { logGroupClass: settings.class }),
            tags: { [CREATED_BY_TAG.key]: CREATED_BY_TAG.value },
          }),
        );
      } catch (error) {
        // Created meanwhile by another invocation of the same run: its retention is set below all the same.
        if (!(error instanceof ResourceAlreadyExistsException)) throw error;
      }
      if (settings.retentionDays !== undefined)
        await logs.send(
          new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: settings.retentionDays }),
        );
    },
    createdByEnforcer: async (name) => {
      const { tags = {} } = await logs.send(new ListTagsForResourceCommand({ resourceArn: arnOf(name) }));
      return tags[CREATED_BY_TAG.key] === CREATED_BY_TAG.value;
    },
    setRetention: async (name, days) => {
      try {
        await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days }));
      } catch (error) {
        // The group still receives flow logs; the next run tries again.
        logger.warn("log group retention not fixed", {
          ...where,
          logGroup: name,
          error: errorSummary(error),
        });
      }
    },
  };
}

function toExisting(name: string, group: LogGroup): ExistingLogGroup {
  return {
    name,
    ...(group.retentionInDays === undefined ? {} : { retentionDays: group.retentionInDays }),
    ...(group.kmsKeyId === undefined ? {} : { kmsKeyId: group.kmsKeyId }),
    ...(group.logGroupClass === undefined ? {} : { class: group.logGroupClass }),
  };
}

/** A client built inside the module loaded on demand, so importing the SDK client waits for first use too. */
export function connectLogGroups(config: CloudWatchLogsClientConfig): CloudWatchLogsClient {
  return new CloudWatchLogsClient(config);
}
