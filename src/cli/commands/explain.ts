// `flowlogs explain`: which rule applies to one resource and why, the settings it resolves to, and whether its flow
// logs satisfy them (and which are unapproved or outdated). With --tags it makes no AWS call at all; without, the
// engine gathers the resource's facts (the resource itself with its tags, owner and VPC, and the flow logs) in its
// account exactly as enforcement would, and gives its verdict; a resource EC2 does not show there is refused. This
// command only formats what the engine returns.
import { configuredRegion, createCliEnforcer, identifyCaller, readCliPolicy } from "../../app/cli.js";
import {
  isRegionName,
  isVpcId,
  partitionOfRegion,
  type ResourceRef,
  type ResourceType,
  resourceTypeOfId,
  type Tags,
  type VpcId,
} from "../../domain/resources.js";
import { gatherFacts } from "../../engine/enforce.js";
import { type Explanation, explainCoverage, explainResolution } from "../../engine/explain.js";
import { EnforcerError, UsageError } from "../../errors.js";
import { toCredentialsError } from "../../gateways/caller-session.js";
import type { PolicySource } from "../../policy/policy-source.js";
import { type PlacementFacts, policyUsesTags } from "../../policy/resolve.js";
import type { Policy } from "../../policy/schema.js";
import { accountIds, commaList, oneOf, parseCliArgs, parseTags, policySource, regionNames } from "../args.js";
import { explanationJson, renderExplanationText } from "../explanation.js";
import type { CliIo } from "../io.js";
import { verifyRegions } from "../scan-session.js";

export const EXPLAIN_USAGE = `flowlogs explain --policy <source> --account <id> --region <region> --resource <vpc-…|subnet-…>
                 [--vpc <vpc-id>] [--tags key=value ...] [--ous ou-…,…] [--format text|json] [--role-name <name>]`;

interface ExplainOptions {
  readonly source: PolicySource;
  readonly placement: PlacementFacts;
  readonly resourceId: string;
  readonly resourceType: ResourceType;
  readonly vpcId?: VpcId;
  /** Set when given on the command line: then no AWS call is made. */
  readonly tags?: Tags;
  readonly format: "text" | "json";
  readonly roleName: string;
}

export async function explainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseExplainArgs(argv, io.env);
  // Exemptions are judged at the time of the explanation, as enforcement would judge them now.
  const options = { ...parsed, placement: { ...parsed.placement, evaluatedAt: new Date() } };
  // An SSM or S3 policy lives in the caller's region, not necessarily the resource's.
  const policy = await readCliPolicy(
    options.source,
    (await configuredRegion(io.env)) ?? options.placement.region,
  );
  const explanation =
    options.tags === undefined
      ? await explainFromAccount(options, policy, io)
      : explainResolution(
          policy,
          { type: options.resourceType, id: options.resourceId, vpcId: options.vpcId, tags: options.tags },
          options.placement,
          "--tags",
        );
  io.out(options.format === "json" ? explanationJson(explanation) : renderExplanationText(explanation));
  return explanation.result.kind === "error" ? 1 : 0;
}

export function parseExplainArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ExplainOptions {
  const { values, tokens } = parseCliArgs({
    args: [...argv],
    allowPositionals: true,
    tokens: true,
    options: {
      policy: { type: "string" },
      account: { type: "string" },
      region: { type: "string" },
      resource: { type: "string" },
      vpc: { type: "string" },
      tags: { type: "string", multiple: true },
      ous: { type: "string", multiple: true },
      format: { type: "string", default: "text" },
      "role-name": { type: "string" },
    },
  });
  const missing = (["policy", "account", "region", "resource"] as const).filter((name) => !values[name]);
  if (missing.length > 0)
    throw new UsageError(
      `explain needs ${missing.map((name) => `--${name}`).join(", ")} (flowlogs explain --help shows the usage)`,
    );
  const [accountId] = accountIds("--account", [values.account ?? ""]);
  const [region] = regionNames("--region", [values.region ?? ""]);
  const resourceId = values.resource ?? "";
  const resourceType = resourceTypeOfId(resourceId);
  if (accountId === undefined || region === undefined)
    throw new UsageError("--account and --region are required");
  if (resourceType === undefined)
    throw new UsageError(
      `--resource "${resourceId}" is not a VPC, subnet, network interface or transit gateway ID`,
    );
  if (values.vpc !== undefined && !isVpcId(values.vpc))
    throw new UsageError(`--vpc "${values.vpc}" is not a VPC ID`);
  const ous = commaList(values.ous);
  const tagWords = tagArguments(tokens);
  return {
    source: policySource(values.policy, env),
    placement: {
      accountId,
      region,
      partition: partitionOfRegion(region),
      ...(ous.length === 0 ? {} : { organizationalUnits: ous }),
    },
    resourceId,
    resourceType,
    ...(values.vpc === undefined ? {} : { vpcId: values.vpc }),
    ...(tagWords === undefined ? {} : { tags: parseTags(tagWords) }),
    format: oneOf("--format", values.format ?? "text", ["text", "json"] as const),
    roleName: values["role-name"] ?? env.MEMBER_ROLE_NAME ?? "FlowLogEnforcerMemberRole",
  };
}

type ArgToken = NonNullable<ReturnType<typeof parseCliArgs>["tokens"]>[number];

/**
 * The words of `--tags a=1 b=2 --tags c=3`: each --tags value plus the bare words right after it. Undefined when
 * --tags is absent; `--tags ""` gives none (the resource has no tags). Other bare words are a usage error.
 */
function tagArguments(tokens: readonly ArgToken[] | undefined): string[] | undefined {
  let words: string[] | undefined;
  let afterTags = false;
  for (const token of tokens ?? []) {
    if (token.kind === "option") {
      afterTags = token.name === "tags";
      if (afterTags) words = [...(words ?? []), token.value ?? ""];
    } else if (token.kind === "positional") {
      if (!afterTags)
        throw new UsageError(
          `unexpected argument "${token.value}" (only --tags takes several words; flowlogs explain --help shows the usage)`,
        );
      words = [...(words ?? []), token.value];
    } else afterTags = false;
  }
  return words;
}

/**
 * Gathers the resource's facts in its account through the engine (assuming the member role elsewhere than home),
 * after checking --region the way scan does: an unknown or not-enabled region is refused, not explained.
 */
async function explainFromAccount(options: ExplainOptions, policy: Policy, io: CliIo): Promise<Explanation> {
  const { placement, resourceId } = options;
  try {
    const configured = await configuredRegion(io.env);
    const home = configured !== undefined && isRegionName(configured) ? configured : placement.region;
    const identity = await identifyCaller(home);
    await verifyRegions([placement.region], home, identity, io);
    const enforcer = createCliEnforcer({
      region: placement.region,
      policySource: options.source,
      memberRoleName: options.roleName,
      homeAccountId: identity.accountId,
    });
    const resource: ResourceRef = {
      type: options.resourceType,
      id: resourceId,
      ...(options.vpcId === undefined ? {} : { vpcId: options.vpcId }),
    };
    const ec2 = await enforcer.flowLogsIn(placement);
    const facts = await gatherFacts({ kind: "resources", resources: [resource] }, { policy, ec2 });
    // The engine read the resource by ID: when its facts do not hold it, EC2 does not show it there.
    const explanation = explainCoverage(
      policy,
      placement,
      facts,
      resourceId,
      policyUsesTags(policy) ? "EC2" : "not needed",
    );
    if (explanation === undefined)
      throw new EnforcerError(
        `${resourceId} not found in account ${placement.accountId}, region ${placement.region}`,
      );
    return explanation;
  } catch (error) {
    if (error instanceof EnforcerError) throw error;
    throw toCredentialsError(error) ?? error;
  }
}
