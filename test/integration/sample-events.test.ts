// Every sample in events/ runs through `npm run invoke` semantics against moto for the function it belongs to,
// so a sample can never rot: a shape change in a parser fails here, not in someone's `sam local invoke`.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { useMoto } from "../support/aws-env.js";
import { invokeFunction } from "../support/invoke.js";
import { sampleEvent } from "../support/sample-events.js";

useMoto();

/** Which function each sample is for; a new sample without an owner fails the first test. */
function ownerOf(file: string): string | undefined {
  if (file === "config-remediation-vpc.json") return "ConfigRemediationFunction";
  if (file.startsWith("config-")) return "ConfigRuleFunction";
  if (file.startsWith("org-sweep-")) return "OrgSweepFunction";
  if (file.startsWith("sweep-")) return "SweepWorkerFunction";
  if (file.startsWith("policy-")) return "PolicyAuditFunction";
  if (/^(vpc|subnet|default-vpc|flow-log)-/.test(file)) return "EventEnforcerFunction";
  return undefined;
}

const samples = readdirSync("events").filter((file) => file.endsWith(".json"));
const policyPath = join(mkdtempSync(join(tmpdir(), "samples-")), "policy.yaml");
writeFileSync(
  policyPath,
  'version: 1\ndefaults:\n  destination: { type: s3, arn: "arn:${Partition}:s3:::central-flow-logs" }\n',
);
let queueUrl = "";

beforeAll(async () => {
  await new S3Client({ region: "us-east-1", forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: "central-flow-logs" }),
  );
  await new OrganizationsClient({ region: "us-east-1" }).send(
    new CreateOrganizationCommand({ FeatureSet: "ALL" }),
  );
  const queue = await new SQSClient({ region: "us-east-1" }).send(
    new CreateQueueCommand({ QueueName: "sweep" }),
  );
  queueUrl = queue.QueueUrl ?? "";
});

describe("events/ samples", () => {
  it("every sample belongs to a function", () => {
    expect(samples.filter((file) => ownerOf(file) === undefined)).toEqual([]);
  });

  it.each(samples)("%s runs with npm run invoke semantics", async (file) => {
    const owner = ownerOf(file) ?? "";

    // The samples name resources moto does not hold: creation events would wait 20 s for them to appear.
    const result = await invokeFunction(owner, sampleEvent(file), {
      env: {
        POLICY_SOURCE: `file:${policyPath}`,
        SWEEP_QUEUE_URL: queueUrl,
        GOVERNED_REGIONS: "us-east-1",
        NEW_RESOURCE_WAIT_SECONDS: "0",
      },
    });

    expect(result.exitCode, `${owner} ${file}: ${JSON.stringify(result.output)}\n${result.stderr}`).toBe(0);
    expect(JSON.stringify(result.output)).not.toMatch(/ValidationError|malformed/);
  });
});
