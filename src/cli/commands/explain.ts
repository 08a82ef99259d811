// `flowlogs explain`: which rule applies to one resource and why, and the settings it resolves to. With --tags it
// makes no AWS call at all; without, it reads the resource's tags (and a subnet's VPC) in its account.
import { STSClient } from "@aws-sdk/client-sts";
import {
  isVpcId,
  partitionOfRegion,
  type ResourceType,
  resourceTypeOfId,
  type Tags,
} from "../../domain/resources.js";
import { EnforcerError, UsageError } from "../../errors.js";
import { AccountClients } from "../../gateways/account-clients.js";
import { createEc2Gateway } from "../../gateways/ec2-gateway.js";
import { effectiveTags, type PlacementFacts, policyUsesTags } from "../../policy/resolve.js";
import type { Policy } from "../../policy/schema.js";
import { accountIds, commaList, oneOf, parseCliArgs, parseTags, policySource, regionNames } from "../args.js";
import { callerIdentity, configuredRegion, toCredentialsError } from "../aws-session.js";
import { explainResolution, explanationJson, renderExplanationText } from "../explanation.js";
import type { CliIo } from "../io.js";
import { readCliPolicy } from "../policy-input.js";

export const EXPLAIN_USAGE = `flowlogs explain --policy <source> --account <id> --region <region> --resource <vpc-…|subnet-…>
                 [--vpc <vpc-id>] [--tags key=value ...] [--ous ou-…,…] [--format text|json] [--role-name <name>]`;

interface ExplainOptions {
  readonly source: string;
  readonly placement: PlacementFacts;
  readonly resourceId: string;
  readonly resourceType: ResourceType;
  readonly vpcId?: string;
  /** Set when given on the command line: then no AWS call is made. */
  readonly tags?: Tags;
  readonly format: "text" | "json";
  readonly roleName: string;
}

export async function explainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseExplainArgs(argv, io.env);
  // An SSM or S3 policy lives in the caller's region, not necessarily the resource's.
  const policy = await readCliPolicy(
    options.source,
    (await configuredRegion(io.env)) ?? options.placement.region,
  );
  const facts = options.tags === undefined ? await readFacts(options, policy) : givenFacts(options);
  const explanation = explainResolution(
    policy,
    { type: options.resourceType, id: options.resourceId, vpcId: facts.vpcId, tags: facts.tags },
    options.placement,
    facts.tagsFrom,
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
      `explain needs ${missing.map((name) => `--${name}`).join(", ")}\nusage: ${EXPLAIN_USAGE}`,
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
      if (!afterTags) throw new UsageError(`unexpected argument "${token.value}"\nusage: ${EXPLAIN_USAGE}`);
      words = [...(words ?? []), token.value];
    } else afterTags = false;
  }
  return words;
}

interface Facts {
  readonly vpcId?: string;
  readonly tags: Tags;
  readonly tagsFrom: "--tags" | "DescribeTags" | "not needed";
}

function givenFacts(options: ExplainOptions): Facts {
  return {
    tags: options.tags ?? {},
    tagsFrom: "--tags",
    ...(options.vpcId === undefined ? {} : { vpcId: options.vpcId }),
  };
}

/** Reads only what the explanation needs: a subnet's VPC when not given, tags when a rule matches on them. */
async function readFacts(options: ExplainOptions, policy: Policy): Promise<Facts> {
  const needsTags = policyUsesTags(policy);
  const needsVpc = options.resourceType === "Subnet" && options.vpcId === undefined;
  if (!needsTags && !needsVpc)
    return {
      tags: {},
      tagsFrom: "not needed",
      ...(options.vpcId === undefined ? {} : { vpcId: options.vpcId }),
    };

  const { placement, resourceId } = options;
  const sts = new STSClient({ region: placement.region });
  try {
    const identity = await callerIdentity(sts);
    const accounts = new AccountClients({
      sts,
      memberRoleName: options.roleName,
      maxAttempts: 3,
      homeAccountId: identity.accountId,
    });
    await accounts.verifyAccess(placement);
    const ec2Client = await accounts.ec2For(placement);
    try {
      const ec2 = createEc2Gateway(ec2Client);
      const vpcId = needsVpc ? (await ec2.describeSubnetVpcs([resourceId])).get(resourceId) : options.vpcId;
      if (needsVpc && vpcId === undefined)
        throw new EnforcerError(
          `${resourceId} not found in account ${placement.accountId}, ${placement.region}`,
        );
      const vpc = vpcId === undefined ? {} : { vpcId };
      if (!needsTags) return { tags: {}, tagsFrom: "not needed", ...vpc };
      const ids = vpcId === undefined || options.resourceType === "VPC" ? [resourceId] : [resourceId, vpcId];
      const tags = await ec2.describeTags(ids);
      const own = tags.get(resourceId) ?? {};
      const effective =
        options.resourceType === "VPC" || vpcId === undefined ? own : effectiveTags(own, tags.get(vpcId));
      return { tags: effective, tagsFrom: "DescribeTags", ...vpc };
    } finally {
      ec2Client.destroy();
    }
  } catch (error) {
    if (error instanceof EnforcerError) throw error;
    throw toCredentialsError(error) ?? error;
  } finally {
    sts.destroy();
  }
}
