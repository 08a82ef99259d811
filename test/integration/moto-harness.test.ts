import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { credentialsForAccount, useMoto } from "../support/aws-env.js";
import { ec2ErrorBody, type FaultProxy, startFaultProxy } from "../support/fault-proxy.js";
import { type CallCounter, startCallCounter } from "../support/http-counter.js";

const motoEndpoint = useMoto();

async function createVpc(client: EC2Client, cidrBlock: string): Promise<string> {
  const { Vpc: vpc } = await client.send(new CreateVpcCommand({ CidrBlock: cidrBlock }));
  if (vpc?.VpcId === undefined) {
    throw new Error("CreateVpc returned no VpcId");
  }
  return vpc.VpcId;
}

async function vpcIdsVisibleTo(client: EC2Client): Promise<string[]> {
  const { Vpcs: vpcs = [] } = await client.send(new DescribeVpcsCommand({}));
  return vpcs.flatMap((vpc) => (vpc.VpcId === undefined ? [] : [vpc.VpcId]));
}

describe("moto harness", () => {
  const proxies: Array<CallCounter | FaultProxy> = [];
  const clients: Array<{ destroy(): void }> = [];
  const track = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    for (const client of clients.splice(0)) {
      client.destroy();
    }
    await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
  });

  it("sends an SDK client configured only by AWS_ENDPOINT_URL to moto", async () => {
    const ec2 = track(new EC2Client({}));

    const vpcId = await createVpc(ec2, "10.10.0.0/16");

    const viaExplicitEndpoint = track(new EC2Client({ endpoint: motoEndpoint() }));
    expect(await vpcIdsVisibleTo(viaExplicitEndpoint)).toContain(vpcId);
  });

  it("counts exactly the AWS calls made through it and ignores /moto-api/", async () => {
    const counter = await startCallCounter(motoEndpoint());
    proxies.push(counter);
    const ec2 = track(new EC2Client({ endpoint: counter.endpoint }));

    await createVpc(ec2, "10.11.0.0/16");
    await vpcIdsVisibleTo(ec2);
    const motoApi = await fetch(`${counter.endpoint}/moto-api/`);
    await motoApi.body?.cancel();

    expect(motoApi.ok).toBe(true);
    expect(counter.calls()).toEqual([
      { service: "ec2", action: "CreateVpc" },
      { service: "ec2", action: "DescribeVpcs" },
    ]);
    expect(counter.count({ action: "CreateVpc" })).toBe(1);
    counter.reset();
    expect(counter.count()).toBe(0);
  });

  it("names calls of query (STS), JSON (SSM) and REST (S3) protocols", async () => {
    const counter = await startCallCounter(motoEndpoint());
    proxies.push(counter);
    const endpoint = counter.endpoint;

    await track(new STSClient({ endpoint })).send(new GetCallerIdentityCommand({}));
    const ssm = track(new SSMClient({ endpoint }));
    await ssm.send(new PutParameterCommand({ Name: "/harness/p", Value: "v", Type: "String" }));
    await ssm.send(new GetParameterCommand({ Name: "/harness/p" }));
    await track(new S3Client({ endpoint })).send(new CreateBucketCommand({ Bucket: "harness-bucket" }));

    expect(counter.calls()).toEqual([
      { service: "sts", action: "GetCallerIdentity" },
      { service: "ssm", action: "PutParameter" },
      { service: "ssm", action: "GetParameter" },
      { service: "s3", action: "PUT /harness-bucket/" },
    ]);
  });

  it("lets the SDK retry through injected RequestLimitExceeded faults", async () => {
    const proxy = await startFaultProxy(motoEndpoint(), [
      {
        match: { action: "DescribeVpcs" },
        respond: { status: 503, body: ec2ErrorBody("RequestLimitExceeded", "Request limit exceeded.") },
        times: 2,
      },
    ]);
    proxies.push(proxy);
    const ec2 = track(new EC2Client({ endpoint: proxy.endpoint, maxAttempts: 3, retryMode: "standard" }));

    const result = await ec2.send(new DescribeVpcsCommand({}));

    expect(result.$metadata.attempts).toBe(3);
    expect(proxy.count({ action: "DescribeVpcs" })).toBe(3);
    expect(proxy.pendingFaults()).toBe(0);
  });

  it("surfaces the injected error code once the SDK runs out of attempts", async () => {
    const proxy = await startFaultProxy(motoEndpoint(), [
      {
        match: { action: "DescribeVpcs" },
        respond: { status: 503, body: ec2ErrorBody("RequestLimitExceeded", "Request limit exceeded.") },
        times: 5,
      },
    ]);
    proxies.push(proxy);
    const ec2 = track(new EC2Client({ endpoint: proxy.endpoint, maxAttempts: 2, retryMode: "standard" }));

    await expect(ec2.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: "RequestLimitExceeded",
      message: "Request limit exceeded.",
      $metadata: { httpStatusCode: 503, attempts: 2 },
    });
    expect(proxy.pendingFaults()).toBe(3);
  });

  it("keeps a VPC created under assumed-role credentials in that account only", async () => {
    const otherAccount = await credentialsForAccount(motoEndpoint(), "222222222222");
    const ec2Other = track(new EC2Client({ credentials: otherAccount }));
    const ec2Default = track(new EC2Client({}));
    const stsOther = track(new STSClient({ credentials: otherAccount }));
    const stsDefault = track(new STSClient({}));

    const vpcId = await createVpc(ec2Other, "10.22.0.0/16");

    expect((await stsOther.send(new GetCallerIdentityCommand({}))).Account).toBe("222222222222");
    expect((await stsDefault.send(new GetCallerIdentityCommand({}))).Account).toBe("123456789012");
    expect(await vpcIdsVisibleTo(ec2Other)).toContain(vpcId);
    expect(await vpcIdsVisibleTo(ec2Default)).not.toContain(vpcId);
  });
});
