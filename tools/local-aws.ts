// `npm run invoke -- … --local`: a moto to run against (AWS_ENDPOINT_URL's, or one started here and stopped at exit)
// and what a function needs in it to do real work: the resources its event names (the event rewritten to their
// moto IDs), the queues the template would create, an organization, the policy's buckets and log groups.
// Every step it takes is reported through `note`, so the user sees what was made up on their behalf. Each SDK client
// is imported by the step that needs it: an invocation starts a fresh process, and loading all six costs a second.
import { readFileSync } from "node:fs";
import type { EC2Client, Tag } from "@aws-sdk/client-ec2";
import type { ResourceRef } from "../src/domain/resources.js";
import { parsePolicy } from "../src/policy/parse.js";
import { parsePolicySource } from "../src/policy/policy-source.js";
import type { PolicyDestination } from "../src/policy/schema.js";
import { parseCloudTrailEvent } from "../src/triggers/cloudtrail-event.js";
import { parseConfigRuleEvent } from "../src/triggers/config-event.js";
import { parseRemediationEvent } from "../src/triggers/config-remediation-event.js";
import { isSqsBatch, parseQueuedMessage } from "../src/triggers/event-queue-message.js";
import { EXIT, InvokeError } from "./invoke-options.js";
import { type MotoServer, startMoto } from "./moto.js";
import type { TemplateReference } from "./sam-template.js";

type Ec2Sdk = typeof import("@aws-sdk/client-ec2");
/** An EC2 client of one account-region and the SDK module its commands come from (imported on first use). */
interface Ec2 {
  readonly client: EC2Client;
  readonly sdk: Ec2Sdk;
}

/** moto maps an unknown access key to this account: the functions' home account locally. */
export const LOCAL_ACCOUNT = "123456789012";
export const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" } as const;
/** Set in a developer's shell, these would send the SDK elsewhere than moto or pair real keys with dummy ones. */
const SHADOWING = /^(AWS_ENDPOINT_URL_.+|AWS_IGNORE_CONFIGURED_ENDPOINT_URLS|AWS_SESSION_TOKEN|AWS_PROFILE)$/;

export type Note = (line: string) => void;

export interface LocalAws {
  readonly endpoint: string;
  /** Stops the embedded moto_server (nothing for one that was already running). */
  stop(): Promise<void>;
}

/**
 * The moto at AWS_ENDPOINT_URL when it answers as moto, else a moto_server started on a free loopback port.
 * Points this process's SDK at it with dummy credentials (moto's account 123456789012).
 */
export async function connectLocalAws(env: NodeJS.ProcessEnv, note: Note): Promise<LocalAws> {
  const given = env.AWS_ENDPOINT_URL;
  let server: MotoServer | undefined;
  if (given !== undefined && given !== "") {
    if (!(await answersAsMoto(given)))
      throw new InvokeError(
        `AWS_ENDPOINT_URL=${given} does not answer as moto, and --local seeds only moto: unset AWS_ENDPOINT_URL to start one, or leave out --local`,
        EXIT.setup,
      );
    note(`--local: using the moto at AWS_ENDPOINT_URL=${given}`);
  } else {
    try {
      server = await startMoto();
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      throw new InvokeError(`--local cannot start moto_server: ${reason}`, EXIT.setup);
    }
    note(`--local: started moto_server at ${server.endpoint} (stopped when this invocation ends)`);
  }
  for (const name of Object.keys(env)) if (SHADOWING.test(name)) delete env[name];
  const endpoint = server?.endpoint ?? given ?? "";
  Object.assign(env, { AWS_ENDPOINT_URL: endpoint, ...LOCAL_CREDENTIALS });
  return { endpoint, stop: async () => server?.stop() };
}

async function answersAsMoto(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint.replace(/\/+$/, "")}/moto-api/`, {
      // Only to stop waiting on something that is not moto at all; moto answers in milliseconds, even loaded.
      signal: AbortSignal.timeout(60_000),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** A resource an event names, as the function's own parser reads it, and whether it is a default one. */
export interface NamedResource {
  readonly accountId: string;
  readonly region: string;
  readonly resource: ResourceRef;
  readonly isDefault: boolean;
}

/**
 * The VPCs and subnets an event names, read with the parser of the function's trigger (chosen by its handler file).
 * An event that parser refuses names nothing here: the function itself reports why.
 */
export function namedResources(handlerFile: string, event: unknown): NamedResource[] {
  try {
    switch (handlerFile) {
      case "event-enforcer":
        // An SQS batch from the event queue carries one EventBridge event per record body.
        return isSqsBatch(event)
          ? event.Records.flatMap((record) => resourcesOfQueuedBody(record.body))
          : resourcesOfCloudTrailEvent(event);
      case "config-rule": {
        const request = parseConfigRuleEvent(event, {});
        return request.kind === "resource"
          ? [{ ...request.target, resource: request.resource, isDefault: false }]
          : [];
      }
      case "config-remediation": {
        const request = parseRemediationEvent(event, { accountId: LOCAL_ACCOUNT, region: undefined });
        return [{ ...request.target, resource: request.resource, isDefault: false }];
      }
      default:
        return [];
    }
  } catch {
    return [];
  }
}

function resourcesOfCloudTrailEvent(event: unknown): NamedResource[] {
  const request = parseCloudTrailEvent(event);
  if (request.kind !== "enforce" || request.scope.kind !== "resources") return [];
  const isDefault = request.eventName.startsWith("CreateDefault");
  return request.scope.resources.map((resource) => ({ ...request.target, resource, isDefault }));
}

/** A record the enforcer would reject names nothing; the others name what their event does. */
function resourcesOfQueuedBody(body: string): NamedResource[] {
  try {
    const message = parseQueuedMessage(body);
    return message.kind === "event" ? resourcesOfCloudTrailEvent(JSON.parse(body)) : [];
  } catch {
    return [];
  }
}

/**
 * Makes every named VPC and subnet exist in moto — an ID moto already has is kept; a default one maps to moto's
 * default VPC or subnet; any other is created with the event's tags (a subnet inside its named VPC, or a new one) —
 * and returns the event's IDs mapped to moto's.
 */
export async function seedNamedResources(
  named: readonly NamedResource[],
  endpoint: string,
  note: Note,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (named.length === 0) return ids;
  const sdk = await import("@aws-sdk/client-ec2");
  const clients = new Map<string, EC2Client>();
  const ec2For = async (accountId: string, region: string): Promise<Ec2> => {
    const key = `${accountId}/${region}`;
    let client = clients.get(key);
    if (client === undefined) {
      client = new sdk.EC2Client({
        region,
        endpoint,
        credentials: await credentialsFor(accountId, endpoint),
      });
      clients.set(key, client);
    }
    return { client, sdk };
  };
  try {
    // VPCs first, so a subnet goes into its VPC's moto ID.
    const ordered = [...named].sort(
      (a, b) => Number(a.resource.type === "Subnet") - Number(b.resource.type === "Subnet"),
    );
    for (const { accountId, region, resource, isDefault } of ordered) {
      const ec2 = await ec2For(accountId, region);
      if (resource.type === "VPC") await seedVpc(ec2, resource, isDefault, ids, note);
      if (resource.type === "Subnet") await seedSubnet(ec2, resource, isDefault, ids, note);
    }
  } finally {
    for (const client of clients.values()) client.destroy();
  }
  return ids;
}

/** VPC CIDRs may overlap (in AWS as in moto); each seeded VPC gets its own subnets from freeSubnetCidr. */
const SEEDED_VPC_CIDR = "10.0.0.0/16";

async function seedVpc(
  ec2: Ec2,
  resource: ResourceRef,
  isDefault: boolean,
  ids: Map<string, string>,
  note: Note,
): Promise<string> {
  const known = ids.get(resource.id);
  if (known !== undefined) return known;
  if (await vpcExists(ec2, resource.id)) {
    ids.set(resource.id, resource.id);
    return resource.id;
  }
  if (isDefault) {
    const { Vpcs = [] } = await ec2.client.send(
      new ec2.sdk.DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    const id = Vpcs[0]?.VpcId;
    if (id !== undefined) {
      ids.set(resource.id, id);
      note(
        `--local: the event's default VPC ${resource.id} is moto's default VPC ${id}; the event now names ${id}`,
      );
      return id;
    }
  }
  const { Vpc } = await ec2.client.send(
    new ec2.sdk.CreateVpcCommand({
      CidrBlock: SEEDED_VPC_CIDR,
      ...tagSpecification("vpc", resource.tags),
    }),
  );
  const id = Vpc?.VpcId ?? resource.id;
  ids.set(resource.id, id);
  note(
    `--local: created VPC ${id}${tagWords(resource.tags)} for the event's ${resource.id}; the event now names ${id}`,
  );
  return id;
}

async function seedSubnet(
  ec2: Ec2,
  resource: ResourceRef,
  isDefault: boolean,
  ids: Map<string, string>,
  note: Note,
): Promise<void> {
  if (ids.has(resource.id)) return;
  const { Subnets: existing = [] } = await ec2.client.send(
    new ec2.sdk.DescribeSubnetsCommand({ Filters: [{ Name: "subnet-id", Values: [resource.id] }] }),
  );
  if (existing.length > 0) {
    ids.set(resource.id, resource.id);
    return;
  }
  if (isDefault) {
    const { Subnets = [] } = await ec2.client.send(
      new ec2.sdk.DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }),
    );
    const subnet = Subnets[0];
    if (subnet?.SubnetId !== undefined && subnet.VpcId !== undefined) {
      ids.set(resource.id, subnet.SubnetId);
      if (resource.vpcId !== undefined && !ids.has(resource.vpcId)) ids.set(resource.vpcId, subnet.VpcId);
      note(
        `--local: the event's default subnet ${resource.id} is moto's default subnet ${subnet.SubnetId} (VPC ${subnet.VpcId}); the event now names those`,
      );
      return;
    }
  }
  const vpcId =
    resource.vpcId === undefined
      ? await vpcToHold(ec2, resource.id, note)
      : await seedVpc(ec2, { type: "VPC", id: resource.vpcId }, false, ids, note);
  const { Subnet } = await ec2.client.send(
    new ec2.sdk.CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: await freeSubnetCidr(ec2, vpcId),
      ...tagSpecification("subnet", resource.tags),
    }),
  );
  const id = Subnet?.SubnetId ?? resource.id;
  ids.set(resource.id, id);
  note(
    `--local: created subnet ${id}${tagWords(resource.tags)} in ${vpcId} for the event's ${resource.id}; the event now names ${id}`,
  );
}

/** A VPC for a subnet whose event does not name its VPC (an oversized Config item carries only the subnet). */
async function vpcToHold(ec2: Ec2, subnetId: string, note: Note): Promise<string> {
  const { Vpc } = await ec2.client.send(new ec2.sdk.CreateVpcCommand({ CidrBlock: SEEDED_VPC_CIDR }));
  const id = Vpc?.VpcId ?? "";
  note(`--local: created VPC ${id} to hold the event's subnet ${subnetId} (the event does not name its VPC)`);
  return id;
}

async function vpcExists(ec2: Ec2, vpcId: string): Promise<boolean> {
  const { Vpcs = [] } = await ec2.client.send(
    new ec2.sdk.DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
  );
  return Vpcs.length > 0;
}

/** A /24 inside the VPC's CIDR not taken by one of its subnets. */
async function freeSubnetCidr(ec2: Ec2, vpcId: string): Promise<string> {
  const { Vpcs = [] } = await ec2.client.send(
    new ec2.sdk.DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
  );
  const { Subnets = [] } = await ec2.client.send(
    new ec2.sdk.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
  );
  const [a = "10", b = "0"] = (Vpcs[0]?.CidrBlock ?? "10.0.0.0/16").split(".");
  const taken = new Set(Subnets.map((subnet) => subnet.CidrBlock));
  for (let c = 1; c < 256; c += 1) if (!taken.has(`${a}.${b}.${c}.0/24`)) return `${a}.${b}.${c}.0/24`;
  throw new InvokeError(`--local: VPC ${vpcId} has no free /24 left for another subnet`, EXIT.setup);
}

function tagSpecification(resourceType: "vpc" | "subnet", tags: ResourceRef["tags"]) {
  const entries: Tag[] = Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  return entries.length === 0 ? {} : { TagSpecifications: [{ ResourceType: resourceType, Tags: entries }] };
}

function tagWords(tags: ResourceRef["tags"]): string {
  const entries = Object.entries(tags ?? {});
  return entries.length === 0 ? "" : ` (tags ${entries.map(([k, v]) => `${k}=${v}`).join(", ")})`;
}

/** The event's text with every seeded ID in place of the one it named (IDs inside JSON strings too). */
export function rewriteIds(text: string, ids: ReadonlyMap<string, string>): string {
  let rewritten = text;
  for (const [from, to] of ids) if (from !== to) rewritten = rewritten.split(from).join(to);
  return rewritten;
}

/** Credentials for `accountId` in moto: the dummy keys at home, AssumeRole into any other account. */
async function credentialsFor(accountId: string, endpoint: string) {
  const home = {
    accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
    secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  };
  if (accountId === LOCAL_ACCOUNT) return home;
  const { AssumeRoleCommand, STSClient } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({ region: "us-east-1", endpoint, credentials: home });
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/local-seed`,
        RoleSessionName: "local-seed",
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new InvokeError(`--local: moto gave no credentials for ${accountId}`, EXIT.setup);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

/**
 * Values for the variables that name a template resource and were not set by an env file: a queue is created in
 * moto (its URL for `!Ref`, its ARN for `!GetAtt …Arn`). Other resource types are left for the caller to report.
 */
export async function createReferencedQueues(
  references: Readonly<Record<string, TemplateReference>>,
  endpoint: string,
  region: string,
  note: Note,
): Promise<Record<string, string>> {
  const queues = Object.entries(references).filter(([, reference]) => reference.type === "AWS::SQS::Queue");
  const tables = Object.entries(references).filter(
    ([, reference]) => reference.type === "AWS::DynamoDB::Table",
  );
  return {
    ...(queues.length === 0 ? {} : await createQueues(queues, endpoint, region, note)),
    ...(tables.length === 0 ? {} : await createTables(tables, endpoint, region, note)),
  };
}

async function createQueues(
  queues: ReadonlyArray<readonly [string, TemplateReference]>,
  endpoint: string,
  region: string,
  note: Note,
): Promise<Record<string, string>> {
  const { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } = await import("@aws-sdk/client-sqs");
  const sqs = new SQSClient({ region, endpoint });
  try {
    const values: Record<string, string> = {};
    for (const [name, reference] of queues) {
      const { QueueUrl: url = "" } = await sqs.send(
        new CreateQueueCommand({ QueueName: reference.logicalId }),
      );
      if (reference.attribute === "Arn") {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
        );
        values[name] = Attributes?.QueueArn ?? url;
      } else values[name] = url;
      note(`--local: created queue ${reference.logicalId} in moto for ${name}=${values[name]}`);
    }
    return values;
  } finally {
    sqs.destroy();
  }
}

/** Each table named by its logical ID, with the key schema the template gives it (on-demand, as deployed). */
async function createTables(
  tables: ReadonlyArray<readonly [string, TemplateReference]>,
  endpoint: string,
  region: string,
  note: Note,
): Promise<Record<string, string>> {
  const { CreateTableCommand, DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const dynamodb = new DynamoDBClient({ region, endpoint });
  try {
    const values: Record<string, string> = {};
    for (const [name, reference] of tables) {
      const properties = reference.properties ?? {};
      try {
        await dynamodb.send(
          new CreateTableCommand({
            TableName: reference.logicalId,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: properties.AttributeDefinitions as never,
            KeySchema: properties.KeySchema as never,
          }),
        );
        note(`--local: created table ${reference.logicalId} in moto for ${name}`);
      } catch (error) {
        if (!(error instanceof Error && error.name === "ResourceInUseException")) throw error;
      }
      values[name] = reference.logicalId;
    }
    return values;
  } finally {
    dynamodb.destroy();
  }
}

/** An organization whose management account is moto's home account, for the org sweep and ORGANIZATION_CHECK. */
export async function ensureOrganization(endpoint: string, note: Note): Promise<void> {
  const { CreateOrganizationCommand, OrganizationsClient } = await import("@aws-sdk/client-organizations");
  const organizations = new OrganizationsClient({ region: "us-east-1", endpoint });
  try {
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    note(
      `--local: created an organization in moto (management account ${LOCAL_ACCOUNT}, its only ACTIVE account)`,
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === "AlreadyInOrganizationException")) throw error;
  } finally {
    organizations.destroy();
  }
}

/**
 * Creates in moto the S3 buckets and CloudWatch Logs groups a `file:` policy sends flow logs to, for the local
 * account and region; says what it cannot create (per-resource names, prefixed S3 ARNs that moto rejects).
 */
export async function createPolicyDestinations(
  policySource: string | undefined,
  endpoint: string,
  region: string,
  note: Note,
): Promise<void> {
  const source = policySource === undefined ? undefined : parsePolicySource(policySource);
  if (source === undefined || source.kind !== "file") {
    if (policySource !== undefined)
      note(
        `--local: POLICY_SOURCE=${policySource} is not a file: policy, so its destinations are not created; the function reads it from moto as it is`,
      );
    return;
  }
  let destinations: PolicyDestination[];
  try {
    const policy = parsePolicy(readFileSync(source.path, "utf-8"), source.path);
    destinations = [
      policy.defaults.destination,
      ...policy.rules.flatMap((rule) => (rule.destination ? [rule.destination] : [])),
    ];
  } catch {
    return; // The function reports an unreadable or invalid policy itself, with file, line and column.
  }
  const substitute = (text: string) =>
    text
      .replaceAll("${Partition}", "aws")
      .replaceAll("${AccountId}", LOCAL_ACCOUNT)
      .replaceAll("${Region}", region);
  const { CreateBucketCommand, S3Client } = await import("@aws-sdk/client-s3");
  const { CloudWatchLogsClient, CreateLogGroupCommand } = await import("@aws-sdk/client-cloudwatch-logs");
  const s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true });
  const logs = new CloudWatchLogsClient({ region, endpoint });
  try {
    for (const destination of destinations) {
      if (destination.type === "s3") {
        const arn = substitute(destination.arn);
        const [bucket = "", ...prefix] = arn.slice(arn.indexOf(":::") + 3).split("/");
        if (bucket.includes("${")) continue;
        await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(ignoreAlreadyOwned);
        note(`--local: created S3 bucket ${bucket} in moto (a destination of the policy)`);
        if (prefix.join("").length > 0)
          note(
            `--local: ${arn} has a folder prefix, which moto wrongly rejects (the flow log comes back "failed: bucket does not exist"); real AWS accepts it — try a bucket-only ARN locally`,
          );
      }
      if (destination.type === "cloud-watch-logs" && destination.logGroupName !== undefined) {
        const name = substitute(destination.logGroupName);
        if (name.includes("${")) continue;
        await logs.send(new CreateLogGroupCommand({ logGroupName: name })).catch(ignoreExists);
        note(`--local: created log group ${name} in moto (a destination of the policy)`);
      }
    }
  } finally {
    s3.destroy();
    logs.destroy();
  }
}

function ignoreAlreadyOwned(error: unknown): void {
  if (!(error instanceof Error && /BucketAlready(OwnedByYou|Exists)/.test(error.name))) throw error;
}

function ignoreExists(error: unknown): void {
  if (!(error instanceof Error && error.name === "ResourceAlreadyExistsException")) throw error;
}
