// Pure: the objects of a stored run (its manifest and one outcomes.jsonl per account-region) in, the outcomes, modes
// and the account-regions the manifest expected but nobody wrote out. A malformed line is named by key and line.
import { RESOURCE_TYPES } from "../domain/resources.js";
import { OUTCOMES, type Outcome } from "../engine/enforce.js";
import { RunHistoryError } from "../errors.js";
import * as z from "../zod.js";
import { MANIFEST_FILE, OUTCOMES_FILE, type RunManifest } from "./history.js";

const lineSchema = z.object({
  accountId: z.string(),
  region: z.string(),
  resourceType: z.enum([...RESOURCE_TYPES, "AccountRegion"]),
  resourceId: z.string(),
  outcome: z.enum(OUTCOMES),
  flowLogIds: z.optional(z.array(z.string())),
  rule: z.optional(z.string()),
  reason: z.optional(z.string()),
  remedy: z.optional(z.string()),
  mode: z.optional(z.string()),
});

const manifestSchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  accounts: z.array(z.string()),
  regions: z.array(z.string()),
  enqueued: z.number(),
  notEnqueued: z.number(),
  skipped: z.optional(z.array(z.object({ accountId: z.string(), reason: z.string() }))),
});

export interface StoredRun {
  readonly manifest: RunManifest | undefined;
  readonly outcomes: Outcome[];
  readonly modes: string[];
  /** Account-regions of the manifest without an outcomes.jsonl (still running, dead-lettered, never enqueued). */
  readonly missing: Array<{ accountId: string; region: string }>;
}

export function parseStoredRun(
  objects: ReadonlyArray<{ readonly key: string; readonly text: string }>,
  location: string,
): StoredRun {
  const manifestObject = objects.find((o) => o.key.endsWith(`/${MANIFEST_FILE}`));
  const outcomeObjects = objects.filter((o) => o.key.endsWith(`/${OUTCOMES_FILE}`));
  if (manifestObject === undefined && outcomeObjects.length === 0)
    throw new RunHistoryError(`no run at ${location}: no ${MANIFEST_FILE} and no ${OUTCOMES_FILE} under it`);
  const manifest = manifestObject === undefined ? undefined : parseManifest(manifestObject);
  const outcomes: Outcome[] = [];
  const modes = new Set<string>();
  for (const object of outcomeObjects) {
    object.text.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      const { mode, ...outcome } = parseLine(line, `${object.key}:${index + 1}`);
      if (mode !== undefined) modes.add(mode);
      outcomes.push(outcome);
    });
  }
  const present = new Set(outcomes.map((o) => `${o.accountId}/${o.region}`));
  const missing =
    manifest === undefined
      ? []
      : manifest.accounts.flatMap((accountId) =>
          manifest.regions
            .filter((region) => !present.has(`${accountId}/${region}`))
            .map((region) => ({ accountId, region })),
        );
  return { manifest, outcomes, modes: [...modes].sort(), missing };
}

function parseLine(line: string, where: string): Outcome & { mode?: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new RunHistoryError(`${where}: not a JSON line`);
  }
  const result = lineSchema.safeParse(value);
  if (!result.success)
    throw new RunHistoryError(
      `${where}: ${result.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`).join("; ")}`,
    );
  return result.data;
}

function parseManifest(object: { readonly key: string; readonly text: string }): RunManifest {
  let value: unknown;
  try {
    value = JSON.parse(object.text);
  } catch {
    throw new RunHistoryError(`${object.key}: not JSON`);
  }
  const result = manifestSchema.safeParse(value);
  if (!result.success)
    throw new RunHistoryError(
      `${object.key}: ${result.error.issues.map((i) => `${i.path.join(".") || "(manifest)"}: ${i.message}`).join("; ")}`,
    );
  return result.data;
}
