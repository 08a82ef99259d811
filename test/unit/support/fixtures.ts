// Fixture files, re-read on every call so no test can see another's changes.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { parsePolicy } from "../../../src/policy/parse.js";
import { type Policy, policySchema } from "../../../src/policy/schema.js";

const FIXTURES = new URL("../../fixtures/", import.meta.url);
const EVENTS = new URL("../../../events/", import.meta.url);

export function fixturePath(relativePath: string): string {
  return fileURLToPath(new URL(relativePath, FIXTURES));
}

export function readFixture(relativePath: string): string {
  return readFileSync(new URL(relativePath, FIXTURES), "utf-8");
}

/** A JSON fixture in the shape of `T` (an SDK response, say); the caller vouches for the shape. */
export function readJsonFixture<T>(relativePath: string): T {
  return JSON.parse(readFixture(relativePath));
}

/** A sample event from events/ (the files `sam local invoke -e` uses), parsed fresh. */
export function readEvent(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, EVENTS), "utf-8"));
}

/** A sample event as a plain object whose envelope and detail a test may change (a fresh copy per call). */
export function editableEvent(name: string): { detail: Record<string, unknown> } & Record<string, unknown> {
  const event = readEvent(name);
  if (typeof event !== "object" || event === null || !("detail" in event))
    throw new Error(`${name} has no detail`);
  const { detail, ...envelope } = event;
  if (typeof detail !== "object" || detail === null) throw new Error(`${name} has no detail object`);
  return { ...envelope, detail: { ...detail } };
}

/** A policy fixture under test/fixtures/policies/, parsed and validated like the function does. */
export function policyFixture(name: string): Policy {
  return parsePolicy(readFixture(`policies/${name}`), `file:test/fixtures/policies/${name}`);
}

/** The minimal S3 policy with top-level fields replaced, validated by the real schema. */
export function policyWith(overrides: Partial<z.input<typeof policySchema>>): Policy {
  return policySchema.parse({ ...policyFixture("minimal-s3.json"), ...overrides });
}
