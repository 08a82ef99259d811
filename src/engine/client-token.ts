// Deterministic ClientToken: the same event (or sweep run), resources and settings always give the same token, so
// EventBridge redeliveries and Lambda retries are idempotent, while a later repair (a new event) gets a new one.
import { createHash } from "node:crypto";
import type { FlowLogSettings } from "../domain/flow-logs.js";
import { settingsKey } from "../policy/resolve.js";

/** 64 hex characters: within the 64-ASCII-character limit EC2 sets for ClientToken. */
export function flowLogClientToken(
  seed: string,
  resourceIds: readonly string[],
  settings: FlowLogSettings,
): string {
  return createHash("sha256")
    .update(seed)
    .update("\n")
    .update([...resourceIds].sort().join(","))
    .update("\n")
    .update(settingsKey(settings))
    .digest("hex");
}
