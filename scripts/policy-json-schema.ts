// The policy schema as JSON Schema (draft 2020-12), describing the input a user writes (defaults optional).

import { policySchema } from "../src/policy/schema.js";
import * as z from "../src/zod.js";

export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(policySchema, { io: "input", unrepresentable: "any" }),
    $id: "https://github.com/vpc-flow-log-enforcer/policy.schema.json",
    title: "vpc-flow-log-enforcer policy",
  };
}
