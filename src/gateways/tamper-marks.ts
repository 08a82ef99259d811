// DynamoDB access for the cross-batch tamper window: one item per account-region, written only with conditional
// updates so concurrent invocations agree on who evaluates and who schedules the re-check. Items expire by TTL.
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { AccountRegion } from "../domain/resources.js";
import { STALE_RECHECK_MS, type TamperMark, type TamperMarks } from "../engine/coalesce.js";

/** The item outlives its window by this much, then DynamoDB's TTL deletes it (deletion is lazy; reads ignore age). */
const KEEP_AFTER_WINDOW_MS = STALE_RECHECK_MS;

export function dynamoTamperMarks(dynamodb: DynamoDBClient, tableName: string): TamperMarks {
  const key = (target: AccountRegion) => ({ accountRegion: { S: `${target.accountId}/${target.region}` } });
  const expiresAt = (ms: number) => ({ N: String(Math.ceil(ms / 1000)) });
  return {
    claim: async (target, nowMs, windowMs) => {
      try {
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(target),
            UpdateExpression: "SET startedAt = :now, expiresAt = :expires",
            ConditionExpression: "attribute_not_exists(startedAt) OR startedAt <= :windowStart",
            ExpressionAttributeValues: {
              ":now": { N: String(nowMs) },
              ":windowStart": { N: String(nowMs - windowMs) },
              ":expires": expiresAt(nowMs + windowMs + KEEP_AFTER_WINDOW_MS),
            },
            // The mark that refused the claim comes back with the refusal: no second read.
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        return undefined;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // A refusal that returned no mark vouches for nothing: the epoch schedules a re-check rather than
        // claiming the deletions were seen.
        return markOf(error.Item) ?? { startedAtMs: 0 };
      }
    },
    claimRecheck: async (target, dueAtMs, nowMs) => {
      try {
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(target),
            UpdateExpression: "SET recheckDueAt = :due, expiresAt = :expires",
            ConditionExpression: "attribute_not_exists(recheckDueAt) OR recheckDueAt < :staleBefore",
            ExpressionAttributeValues: {
              ":due": { N: String(dueAtMs) },
              ":staleBefore": { N: String(nowMs - STALE_RECHECK_MS) },
              ":expires": expiresAt(dueAtMs + KEEP_AFTER_WINDOW_MS),
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    releaseRecheck: async (target, dueAtMs) => {
      try {
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(target),
            UpdateExpression: "REMOVE recheckDueAt",
            ConditionExpression: "recheckDueAt = :due",
            ExpressionAttributeValues: { ":due": { N: String(dueAtMs) } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    releaseClaim: async (target, startedAtMs) => {
      try {
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(target),
            UpdateExpression: "REMOVE startedAt",
            // Only the failed evaluation's own claim: a later evaluation's mark stays.
            ConditionExpression: "startedAt = :startedAt",
            ExpressionAttributeValues: { ":startedAt": { N: String(startedAtMs) } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    startRecheck: async (target, nowMs, windowMs) => {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(target),
          UpdateExpression: "SET startedAt = :now, expiresAt = :expires REMOVE recheckDueAt",
          ExpressionAttributeValues: {
            ":now": { N: String(nowMs) },
            ":expires": expiresAt(nowMs + windowMs + KEEP_AFTER_WINDOW_MS),
          },
        }),
      );
    },
  };
}

function markOf(item: Record<string, { N?: string }> | undefined): TamperMark | undefined {
  const startedAt = Number(item?.startedAt?.N);
  if (!Number.isFinite(startedAt)) return undefined;
  const due = Number(item?.recheckDueAt?.N);
  return { startedAtMs: startedAt, ...(Number.isFinite(due) ? { recheckDueAtMs: due } : {}) };
}
