// Payload of the SSM Automation step Config's remediation runs → which resource to remediate, where. Pure parsing.
import {
  type AccountRegion,
  accountRegion,
  isAccountId,
  type RegionName,
  type ResourceRef,
  resourceTypeOfId,
} from "../domain/resources.js";
import { EventValidationError } from "../errors.js";
import type { PolicySource } from "../policy/policy-source.js";
import type { Policy } from "../policy/schema.js";
import * as z from "../zod.js";
import { CONFIG_RESOURCE_TYPES, isConfigResourceType } from "./config-event.js";
import { accountIdSchema, parseOrThrow, policySourceSchema, regionSchema } from "./edge-schemas.js";

export interface RemediationRequest {
  readonly target: AccountRegion;
  readonly resource: ResourceRef;
  /** The Automation execution's ID when the document passes it: retries of one execution share a ClientToken. */
  readonly executionId?: string;
  readonly policySource?: PolicySource;
  readonly mode?: Policy["mode"];
}

export interface RemediationDefaults {
  /** The function's own account, used when the payload names none. */
  readonly accountId?: string | undefined;
  /** The function's own region, used when the payload names none. */
  readonly region?: RegionName | undefined;
}

// SSM passes "" for a document parameter left unset; treat it as absent.
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === "" ? undefined : value)),
    z.optional(schema),
  );

const payloadSchema = z.object({
  ResourceId: z
    .string({
      error: (issue) =>
        issue.input === undefined ? "required (Config passes RESOURCE_ID)" : "must be a string",
    })
    .check(
      z.refine(
        (id) => {
          const type = resourceTypeOfId(id);
          return type === "VPC" || type === "Subnet";
        },
        { error: "must be a VPC (vpc-…) or subnet (subnet-…) ID" },
      ),
    ),
  ResourceType: optional(
    z
      .string()
      .check(
        z.refine(isConfigResourceType, `must be one of ${Object.keys(CONFIG_RESOURCE_TYPES).join(", ")}`),
      ),
  ),
  AccountId: optional(accountIdSchema),
  Region: optional(regionSchema),
  ExecutionId: optional(z.string().check(z.minLength(1))),
  PolicySource: optional(policySourceSchema),
  Mode: optional(z.enum(["enforce", "audit"])),
});

/**
 * `{ ResourceId, ResourceType?, AccountId?, Region?, ExecutionId?, PolicySource?, Mode? }`; the type follows from
 * the ID's prefix when absent, and must agree with it when present. Malformed → EventValidationError.
 */
export function parseRemediationEvent(
  event: unknown,
  defaults: RemediationDefaults = {},
): RemediationRequest {
  const payload = parseOrThrow(payloadSchema, event, "Config remediation");
  const type = resourceTypeOfId(payload.ResourceId) === "VPC" ? "VPC" : "Subnet";
  const problems: string[] = [];
  if (payload.ResourceType !== undefined && isConfigResourceType(payload.ResourceType)) {
    if (CONFIG_RESOURCE_TYPES[payload.ResourceType] !== type)
      problems.push(`ResourceType: ${payload.ResourceType} does not match ResourceId ${payload.ResourceId}`);
  }
  const accountId = payload.AccountId ?? defaults.accountId;
  const region = payload.Region ?? defaults.region;
  if (accountId === undefined || !isAccountId(accountId))
    problems.push("AccountId: required, since the function's own account is unknown");
  if (region === undefined) problems.push("Region: required, since the function's own region is unknown");
  if (problems.length > 0 || accountId === undefined || !isAccountId(accountId) || region === undefined)
    throw new EventValidationError("Config remediation", problems);
  return {
    target: accountRegion(accountId, region),
    resource: { type, id: payload.ResourceId },
    ...(payload.ExecutionId === undefined ? {} : { executionId: payload.ExecutionId }),
    ...(payload.PolicySource === undefined ? {} : { policySource: payload.PolicySource }),
    ...(payload.Mode === undefined ? {} : { mode: payload.Mode }),
  };
}
