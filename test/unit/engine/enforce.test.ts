import { describe, expect, it } from "vitest";
import { ENFORCER_MARK, type ExistingFlowLog } from "../../../src/domain/flow-logs.js";
import type { ResourceRef, Tags } from "../../../src/domain/resources.js";
import { type EnforcementRequest, enforceCoverage } from "../../../src/engine/enforce.js";
import {
  ACCOUNT,
  CENTRAL_BUCKET,
  flowLog,
  placement,
  REGION,
  SUBNET_A1,
  SUBNET_A2,
  SUBNET_B1,
  VPC_A,
  VPC_B,
  vpcId,
} from "../support/builders.js";
import { FakeFlowLogPort } from "../support/fake-flow-log-port.js";
import { policyFixture, policyWith } from "../support/fixtures.js";

const SEED = "6f9b3c1e-2d4a-4b8e-9c7f-1a2b3c4d5e6f";

function vpc(id: string, tags?: Tags): ResourceRef {
  return tags === undefined ? { type: "VPC", id } : { type: "VPC", id, tags };
}

function subnet(id: string, inVpc: string): ResourceRef {
  return { type: "Subnet", id, vpcId: vpcId(inVpc) };
}

function forResources(resources: ResourceRef[], extra: Partial<EnforcementRequest> = {}): EnforcementRequest {
  return { placement: placement(), scope: { kind: "resources", resources }, idempotencySeed: SEED, ...extra };
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Lets every pending promise callback run. */
function settle(): Promise<void> {
  return new Promise((done) => setImmediate(done));
}

/** A port whose flow-log and resource reads stay pending until the test releases them. */
class GatedPort extends FakeFlowLogPort {
  readonly flowLogsGate = deferred<ExistingFlowLog[]>();
  readonly resourcesGate = deferred<ResourceRef[]>();

  override describeFlowLogs(resourceIds: readonly string[] | "all"): Promise<ExistingFlowLog[]> {
    this.calls.push({ method: "describeFlowLogs", resourceIds });
    return this.flowLogsGate.promise;
  }

  override describeResources(ids: readonly string[]): Promise<ResourceRef[]> {
    this.calls.push({ method: "describeResources", ids });
    return this.resourcesGate.promise;
  }
}

/** An in-memory EC2 that shows these resources. */
function ec2With(...resources: ResourceRef[]): FakeFlowLogPort {
  return new FakeFlowLogPort().seed(...resources);
}

describe("enforceCoverage: reads", () => {
  it("reads a subnet by ID and the flow logs of the subnet and its VPC, one call each, without tag rules", async () => {
    // Prepare
    const ec2 = ec2With(subnet(SUBNET_A1, VPC_A));
    const policy = policyWith({});

    // Act
    await enforceCoverage(forResources([subnet(SUBNET_A1, VPC_A)]), { policy, ec2 });

    // Assess
    expect(ec2.calls.filter((call) => call.method !== "createFlowLogs")).toEqual([
      { method: "describeResources", ids: [SUBNET_A1] },
      { method: "describeFlowLogs", resourceIds: [SUBNET_A1, VPC_A] },
    ]);
  });

  it("reads the subnets' VPC with them when a rule matches on tags (subnets inherit its tags)", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A), subnet(SUBNET_A1, VPC_A), subnet(SUBNET_A2, VPC_A));
    const policy = policyFixture("issue-example.yaml");

    // Act
    await enforceCoverage(forResources([subnet(SUBNET_A1, VPC_A), subnet(SUBNET_A2, VPC_A)]), {
      policy,
      ec2,
    });

    // Assess
    expect(ec2.callsOf("describeResources")).toEqual([
      { method: "describeResources", ids: [SUBNET_A1, SUBNET_A2, VPC_A] },
    ]);
    expect(ec2.callsOf("describeFlowLogs")).toEqual([
      { method: "describeFlowLogs", resourceIds: [SUBNET_A1, VPC_A, SUBNET_A2] },
    ]);
  });

  it("starts describeResources and describeFlowLogs before either has answered (they run in parallel)", async () => {
    // Prepare
    const ec2 = new GatedPort();
    const policy = policyFixture("issue-example.yaml");

    // Act
    const report = enforceCoverage(forResources([vpc(VPC_A)]), { policy, ec2 });
    await settle();
    const startedBeforeAnyAnswer = ec2.calls.map((call) => call.method);
    ec2.resourcesGate.resolve([vpc(VPC_A, {})]);
    ec2.flowLogsGate.resolve([flowLog(VPC_A)]);
    const { outcomes } = await report;

    // Assess
    expect(startedBeforeAnyAnswer).toEqual(["describeResources", "describeFlowLogs"]);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(["compliant"]);
  });

  it("decides on current tags rather than the tags the event carried", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A));
    ec2.tags.set(VPC_A, { "flow-logs": "disabled" });
    const policy = policyFixture("issue-example.yaml");

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A, { env: "dev" })]), { policy, ec2 });

    // Assess
    expect(outcomes).toEqual([
      {
        accountId: ACCOUNT,
        region: REGION,
        resourceType: "VPC",
        resourceId: VPC_A,
        outcome: "exempt",
        rule: "sandboxes-exempt",
        reason: "exempt by rule sandboxes-exempt",
      },
    ]);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
  });

  it("learns the VPC of a subnet known only by ID from its read, then reads the VPC's flow logs with it", async () => {
    // Prepare
    const ec2 = ec2With(subnet(SUBNET_A1, VPC_A));
    ec2.flowLogs.push(flowLog(VPC_A));
    const policy = policyWith({});

    // Act
    const { outcomes } = await enforceCoverage(forResources([{ type: "Subnet", id: SUBNET_A1 }]), {
      policy,
      ec2,
    });

    // Assess
    expect(ec2.calls).toEqual([
      { method: "describeResources", ids: [SUBNET_A1] },
      { method: "describeFlowLogs", resourceIds: [SUBNET_A1, VPC_A] },
    ]);
    expect(outcomes).toMatchObject([{ outcome: "compliant", reason: `covered by its VPC ${VPC_A}` }]);
  });

  it("reports a named resource EC2 does not show as not-found, deciding and writing nothing for it", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A));
    const policy = policyWith({});

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A), vpc(VPC_B)]), { policy, ec2 });

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toMatchObject([{ resourceIds: [VPC_A] }]);
    expect(outcomes).toMatchObject([
      { resourceId: VPC_A, outcome: "created" },
      {
        resourceId: VPC_B,
        outcome: "not-found",
        reason: `VPC ${VPC_B} does not exist in account ${ACCOUNT}, ${REGION}`,
      },
    ]);
  });
});

describe("enforceCoverage: writes", () => {
  it("creates the missing flow log, marked as the enforcer's, and reports it with its ID", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A));
    const policy = policyWith({});

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A)]), { policy, ec2 });

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toMatchObject([
      {
        resourceIds: [VPC_A],
        settings: {
          resourceType: "VPC",
          destination: { type: "s3", arn: CENTRAL_BUCKET },
          trafficType: "ALL",
          tags: { [ENFORCER_MARK.key]: ENFORCER_MARK.value },
        },
      },
    ]);
    const created = ec2.flowLogs.find((log) => log.resourceId === VPC_A);
    expect(outcomes).toEqual([
      {
        accountId: ACCOUNT,
        region: REGION,
        resourceType: "VPC",
        resourceId: VPC_A,
        outcome: "created",
        flowLogIds: [created?.flowLogId],
        reason: `created a VPC flow log on ${VPC_A} to ${CENTRAL_BUCKET}`,
        remedy: `VPC flow log on ${VPC_A} to ${CENTRAL_BUCKET}`,
      },
    ]);
  });

  it("does not create anything for a compliant resource", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A));
    ec2.flowLogs.push(flowLog(VPC_A));
    const policy = policyWith({});

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A)]), { policy, ec2 });

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([{ outcome: "compliant", flowLogIds: [flowLog(VPC_A).flowLogId] }]);
  });

  it("does not create a second flow log next to one whose delivery fails, and reports delivery-failing", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A));
    ec2.flowLogs.push(
      flowLog(VPC_A, { deliverLogsStatus: "FAILED", deliverLogsErrorMessage: "Access error" }),
    );
    const policy = policyWith({});

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A)]), { policy, ec2 });

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([
      { outcome: "delivery-failing", reason: "flow log delivery is failing: Access error" },
    ]);
  });

  it("audit mode: reports would-create and never calls createFlowLogs", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A));
    const policy = policyWith({ mode: "audit" });

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A)]), { policy, ec2 });

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
    expect(outcomes).toMatchObject([
      {
        outcome: "would-create",
        reason: `no ACTIVE flow log to ${CENTRAL_BUCKET}; found none; would create a VPC flow log on ${VPC_A} to ${CENTRAL_BUCKET}`,
        remedy: `VPC flow log on ${VPC_A} to ${CENTRAL_BUCKET}`,
      },
    ]);
  });

  it("lets the request's mode override an enforcing policy (the Config evaluator audits)", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A));
    const policy = policyWith({ mode: "enforce" });

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A)], { mode: "audit" }), {
      policy,
      ec2,
    });

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(["would-create"]);
  });

  it("remedies subnets that share a VPC with one flow log on that VPC", async () => {
    // Prepare
    const ec2 = ec2With(subnet(SUBNET_A1, VPC_A), subnet(SUBNET_A2, VPC_A), vpc(VPC_A));
    const policy = policyWith({});

    // Act
    const { outcomes } = await enforceCoverage(
      forResources([subnet(SUBNET_A1, VPC_A), subnet(SUBNET_A2, VPC_A), vpc(VPC_A)]),
      { policy, ec2 },
    );

    // Assess
    expect(ec2.callsOf("createFlowLogs")).toMatchObject([
      { resourceIds: [VPC_A], settings: { resourceType: "VPC" } },
    ]);
    const vpcFlowLog = ec2.flowLogs.find((log) => log.resourceId === VPC_A)?.flowLogId;
    expect(outcomes).toMatchObject([
      {
        resourceId: SUBNET_A1,
        outcome: "created",
        flowLogIds: [vpcFlowLog],
        reason: `covered by a new flow log on its VPC ${VPC_A}`,
      },
      { resourceId: SUBNET_A2, outcome: "created", flowLogIds: [vpcFlowLog] },
      { resourceId: VPC_A, outcome: "created", flowLogIds: [vpcFlowLog] },
    ]);
  });

  it("groups creations by identical settings: one call per distinct settings", async () => {
    // Prepare
    const third = "vpc-0c1b2c3d4e5f60718";
    const ec2 = ec2With(vpc(VPC_A), vpc(VPC_B), vpc(third));
    const policy = policyWith({
      rules: [{ name: "rejects-in-b", match: { tags: { traffic: "rejects" } }, trafficType: "REJECT" }],
    });
    ec2.tags.set(VPC_B, { traffic: "rejects" });

    // Act
    await enforceCoverage(forResources([vpc(VPC_A), vpc(VPC_B), vpc(third)]), { policy, ec2 });

    // Assess
    const creates = ec2
      .callsOf("createFlowLogs")
      .map((call) => [call.settings.trafficType, call.resourceIds]);
    expect(creates).toHaveLength(2);
    expect(creates).toEqual(
      expect.arrayContaining([
        ["ALL", [VPC_A, third]],
        ["REJECT", [VPC_B]],
      ]),
    );
  });

  it("maps created, already-exists, not-found and failed results to outcomes", async () => {
    // Prepare
    const [exists, gone, denied] = [
      "vpc-0e1b2c3d4e5f60718",
      "vpc-0f1b2c3d4e5f60718",
      "vpc-0d1b2c3d4e5f60718",
    ];
    // `gone` is still shown when read, then deleted before CreateFlowLogs reaches it.
    const ec2 = ec2With(vpc(VPC_A), vpc(exists), vpc(gone), vpc(denied));
    ec2.failures.set(exists, { resourceId: exists, status: "already-exists" });
    ec2.failures.set(gone, { resourceId: gone, status: "not-found", reason: "InvalidVpcID.NotFound: gone" });
    ec2.failures.set(denied, { resourceId: denied, status: "failed", reason: "400: Access Denied" });
    const policy = policyWith({});

    // Act
    const { outcomes } = await enforceCoverage(
      forResources([vpc(VPC_A), vpc(exists), vpc(gone), vpc(denied)]),
      {
        policy,
        ec2,
      },
    );

    // Assess
    expect(outcomes.map(({ resourceId, outcome, reason }) => ({ resourceId, outcome, reason }))).toEqual([
      {
        resourceId: VPC_A,
        outcome: "created",
        reason: `created a VPC flow log on ${VPC_A} to ${CENTRAL_BUCKET}`,
      },
      {
        resourceId: exists,
        outcome: "compliant",
        reason: `FlowLogAlreadyExists: an identical VPC flow log on ${exists} to ${CENTRAL_BUCKET} exists`,
      },
      { resourceId: gone, outcome: "not-found", reason: "InvalidVpcID.NotFound: gone" },
      {
        resourceId: denied,
        outcome: "failed",
        reason: `creating a VPC flow log on ${denied} to ${CENTRAL_BUCKET} failed: 400: Access Denied`,
      },
    ]);
  });
});

describe("enforceCoverage: governed exemptions", () => {
  const sandbox = {
    name: "sandbox",
    match: { tags: { "flow-logs": "disabled" } },
    exempt: true,
    reason: "lab traffic only",
    expires: "2026-06-30",
  };

  it("reports an exemption with its reason and end date while it holds, creating nothing", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort().seed(vpc(VPC_A), vpc(VPC_B), subnet(SUBNET_A1, VPC_A));
    ec2.tags.set(VPC_A, { "flow-logs": "disabled" });
    const policy = policyWith({ rules: [sandbox] });
    const request = forResources([vpc(VPC_A)], {
      placement: placement({ evaluatedAt: new Date("2026-06-30T18:00:00Z") }),
    });

    // Act
    const { outcomes } = await enforceCoverage(request, { policy, ec2 });

    // Assess
    expect(outcomes).toMatchObject([
      {
        outcome: "exempt",
        rule: "sandbox",
        reason: "exempt by rule sandbox: lab traffic only (until 2026-06-30)",
      },
    ]);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
  });

  it("creates the flow log once the exemption expired, and says the exemption expired", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort().seed(vpc(VPC_A), vpc(VPC_B), subnet(SUBNET_A1, VPC_A));
    ec2.tags.set(VPC_A, { "flow-logs": "disabled" });
    const policy = policyWith({ rules: [sandbox] });
    const request = forResources([vpc(VPC_A)], {
      placement: placement({ evaluatedAt: new Date("2026-07-01T00:00:00Z") }),
    });

    // Act
    const { outcomes } = await enforceCoverage(request, { policy, ec2 });

    // Assess
    expect(outcomes).toMatchObject([
      {
        outcome: "created",
        reason: `created a VPC flow log on ${VPC_A} to ${CENTRAL_BUCKET}; the exemption by rule sandbox expired on 2026-06-30`,
      },
    ]);
    expect(outcomes[0]).not.toHaveProperty("rule");
    expect(ec2.callsOf("createFlowLogs").map((call) => call.resourceIds)).toEqual([[VPC_A]]);
  });

  it("names the expired exemption on a resource that is compliant anyway", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort().seed(vpc(VPC_A), vpc(VPC_B), subnet(SUBNET_A1, VPC_A));
    ec2.tags.set(VPC_A, { "flow-logs": "disabled" });
    ec2.flowLogs.push(flowLog(VPC_A));
    const policy = policyWith({ rules: [sandbox] });
    const request = forResources([vpc(VPC_A)], {
      placement: placement({ evaluatedAt: new Date("2027-01-01T00:00:00Z") }),
    });

    // Act
    const { outcomes } = await enforceCoverage(request, { policy, ec2 });

    // Assess
    expect(outcomes).toMatchObject([
      {
        outcome: "compliant",
        reason: "has a compliant flow log; the exemption by rule sandbox expired on 2026-06-30",
      },
    ]);
  });
});

describe("enforceCoverage: the destination guard (ALLOWED_DESTINATIONS)", () => {
  const GUARD = [
    "arn:${Partition}:s3:::central-flow-logs/${AccountId}/*",
    "arn:aws:s3:::central-flow-logs/${AccountId}",
  ];
  const ELSEWHERE = "arn:aws:s3:::elsewhere";

  it("writes nothing to a destination outside the guard and fails the resource, naming the guard", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort().seed(vpc(VPC_A), vpc(VPC_B), subnet(SUBNET_A1, VPC_A));
    const policy = policyWith({ defaults: { destination: { type: "s3", arn: ELSEWHERE } } });

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A)], { allowedDestinations: GUARD }), {
      policy,
      ec2,
    });

    // Assess
    expect(outcomes).toMatchObject([
      {
        resourceId: VPC_A,
        outcome: "failed",
        reason: `destination ${ELSEWHERE} is outside ALLOWED_DESTINATIONS (${GUARD.join(", ")}); the deployment's guard allows no flow log to it`,
      },
    ]);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
  });

  it("writes the destinations inside the guard, with the account's placeholders substituted", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort().seed(vpc(VPC_A), vpc(VPC_B), subnet(SUBNET_A1, VPC_A));
    ec2.tags.set(VPC_B, { env: "prod" });
    const policy = policyWith({
      rules: [
        { name: "prod", match: { tags: { env: "prod" } }, destination: { type: "s3", arn: ELSEWHERE } },
      ],
    });

    // Act
    const { outcomes } = await enforceCoverage(
      forResources([vpc(VPC_A), vpc(VPC_B)], { allowedDestinations: GUARD }),
      { policy, ec2 },
    );

    // Assess
    expect(outcomes.map((o) => [o.resourceId, o.outcome])).toEqual([
      [VPC_A, "created"],
      [VPC_B, "failed"],
    ]);
    expect(ec2.callsOf("createFlowLogs").map((call) => call.resourceIds)).toEqual([[VPC_A]]);
  });

  it("fails rather than reporting would-create in audit mode, since enforcement would refuse it", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort().seed(vpc(VPC_A), vpc(VPC_B), subnet(SUBNET_A1, VPC_A));
    const policy = policyWith({ mode: "audit", defaults: { destination: { type: "s3", arn: ELSEWHERE } } });

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A)], { allowedDestinations: GUARD }), {
      policy,
      ec2,
    });

    // Assess
    expect(outcomes).toMatchObject([{ outcome: "failed" }]);
  });

  it("fails a subnet whose remedy, its VPC's flow log, the VPC's rule sends outside the guard", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort().seed(vpc(VPC_A), vpc(VPC_B), subnet(SUBNET_A1, VPC_A));
    ec2.tags.set(VPC_A, { env: "prod" });
    const policy = policyWith({
      rules: [
        {
          name: "prod-vpcs",
          match: { tags: { env: "prod" }, resourceTypes: ["VPC"] },
          destination: { type: "s3", arn: ELSEWHERE },
        },
      ],
    });

    // Act
    const { outcomes } = await enforceCoverage(
      forResources([subnet(SUBNET_A1, VPC_A)], { allowedDestinations: GUARD }),
      { policy, ec2 },
    );

    // Assess
    expect(outcomes).toMatchObject([
      {
        resourceId: SUBNET_A1,
        outcome: "failed",
        reason: expect.stringMatching(
          `^its VPC ${VPC_A}: destination ${ELSEWHERE} is outside ALLOWED_DESTINATIONS`,
        ),
      },
    ]);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
  });

  it("leaves every destination allowed without a guard", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort().seed(vpc(VPC_A), vpc(VPC_B), subnet(SUBNET_A1, VPC_A));
    const policy = policyWith({ defaults: { destination: { type: "s3", arn: ELSEWHERE } } });

    // Act
    const { outcomes } = await enforceCoverage(forResources([vpc(VPC_A)]), { policy, ec2 });

    // Assess
    expect(outcomes).toMatchObject([{ outcome: "created" }]);
  });
});

describe("enforceCoverage: scopes", () => {
  it("account-region: lists the policy's resource types and reads all flow logs, without per-ID reads", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort();
    ec2.resources.push(vpc(VPC_A), subnet(SUBNET_A1, VPC_A), vpc(VPC_B), subnet(SUBNET_B1, VPC_B));
    ec2.flowLogs.push(flowLog(VPC_A));
    ec2.tags.set(VPC_B, { "flow-logs": "disabled" });
    const policy = policyFixture("issue-example.yaml");

    // Act
    const { outcomes } = await enforceCoverage(
      { placement: placement(), scope: { kind: "account-region" }, idempotencySeed: SEED },
      { policy, ec2 },
    );

    // Assess
    expect(ec2.calls.filter((call) => call.method !== "createFlowLogs")).toEqual([
      { method: "listResources", types: ["VPC", "Subnet"], vpcIds: undefined },
      { method: "describeFlowLogs", resourceIds: "all" },
    ]);
    expect(outcomes.map(({ resourceId, outcome }) => [resourceId, outcome])).toEqual([
      [VPC_A, "compliant"],
      [SUBNET_A1, "compliant"],
      [VPC_B, "exempt"],
      [SUBNET_B1, "exempt"],
    ]);
  });

  it("account-region: lists VPCs too when only subnets are enforced, so subnets inherit their tags", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort();
    ec2.resources.push(vpc(VPC_A), subnet(SUBNET_A1, VPC_A));
    ec2.tags.set(VPC_A, { "flow-logs": "disabled" });
    const policy = policyWith({
      resourceTypes: ["Subnet"],
      rules: [{ name: "sandboxes-exempt", match: { tags: { "flow-logs": "disabled" } }, exempt: true }],
    });

    // Act
    const { outcomes } = await enforceCoverage(
      { placement: placement(), scope: { kind: "account-region" }, idempotencySeed: SEED },
      { policy, ec2 },
    );

    // Assess
    expect(ec2.callsOf("listResources").map((call) => call.types)).toEqual([["Subnet"], ["VPC"]]);
    expect(outcomes).toMatchObject([{ resourceId: SUBNET_A1, outcome: "exempt" }]);
  });

  it("withSubnetsOf: lists the new VPC's subnets when each subnet needs its own flow log", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A), subnet(SUBNET_A1, VPC_A), subnet(SUBNET_B1, VPC_B));
    const policy = policyWith({ subnetCoverage: "own" });

    // Act
    const { outcomes } = await enforceCoverage(
      {
        placement: placement(),
        scope: { kind: "resources", resources: [vpc(VPC_A)], withSubnetsOf: [vpcId(VPC_A)] },
        idempotencySeed: SEED,
      },
      { policy, ec2 },
    );

    // Assess
    expect(ec2.callsOf("listResources")).toEqual([
      { method: "listResources", types: ["Subnet"], vpcIds: [VPC_A] },
    ]);
    expect(outcomes.map(({ resourceId, outcome }) => [resourceId, outcome])).toEqual([
      [VPC_A, "created"],
      [SUBNET_A1, "created"],
    ]);
  });

  it("default-vpc: reads the default VPC and its default subnets, and covers them with one VPC flow log", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort();
    ec2.resources.push(vpc(VPC_A), subnet(SUBNET_A1, VPC_A), subnet(SUBNET_A2, VPC_A), vpc(VPC_B));
    ec2.defaults.add(VPC_A).add(SUBNET_A1).add(SUBNET_A2);
    const policy = policyWith({ subnetCoverage: "vpc" });

    // Act
    const { outcomes } = await enforceCoverage(
      { placement: placement(), scope: { kind: "default-vpc" }, idempotencySeed: SEED },
      { policy, ec2 },
    );

    // Assess
    expect(ec2.callsOf("listResources")).toEqual([
      { method: "listResources", types: ["VPC", "Subnet"], defaultOnly: true },
    ]);
    expect(ec2.callsOf("createFlowLogs").map((call) => call.resourceIds)).toEqual([[VPC_A]]);
    expect(outcomes.map(({ resourceId, outcome }) => [resourceId, outcome])).toEqual([
      [VPC_A, "created"],
      [SUBNET_A1, "created"],
      [SUBNET_A2, "created"],
    ]);
    expect(new Set(outcomes.flatMap((outcome) => outcome.flowLogIds ?? [])).size).toBe(1);
  });

  it("default-vpc: reports nothing when the account-region has no default VPC", async () => {
    // Prepare
    const ec2 = new FakeFlowLogPort();
    ec2.resources.push(vpc(VPC_B));

    // Act
    const { outcomes } = await enforceCoverage(
      { placement: placement(), scope: { kind: "default-vpc" }, idempotencySeed: SEED },
      { policy: policyWith({}), ec2 },
    );

    // Assess
    expect(outcomes).toEqual([]);
    expect(ec2.callsOf("createFlowLogs")).toEqual([]);
  });

  it("withSubnetsOf: does not list subnets when the VPC's flow log covers them", async () => {
    // Prepare
    const ec2 = ec2With(vpc(VPC_A), subnet(SUBNET_A1, VPC_A));
    const policy = policyWith({ subnetCoverage: "vpc" });

    // Act
    const { outcomes } = await enforceCoverage(
      {
        placement: placement(),
        scope: { kind: "resources", resources: [vpc(VPC_A)], withSubnetsOf: [vpcId(VPC_A)] },
        idempotencySeed: SEED,
      },
      { policy, ec2 },
    );

    // Assess
    expect(ec2.callsOf("listResources")).toEqual([]);
    expect(outcomes.map((outcome) => outcome.resourceId)).toEqual([VPC_A]);
  });
});

describe("enforceCoverage: ClientToken", () => {
  async function tokenFor(seed: string, resources: ResourceRef[], trafficType: "ALL" | "REJECT" = "ALL") {
    const ec2 = ec2With(...resources);
    const policy = policyWith({
      defaults: { destination: { type: "s3", arn: "arn:aws:s3:::central-flow-logs" }, trafficType },
    });
    await enforceCoverage(forResources(resources, { idempotencySeed: seed }), { policy, ec2 });
    const [call, ...others] = ec2.callsOf("createFlowLogs");
    if (call === undefined || others.length > 0) throw new Error("expected exactly one createFlowLogs");
    return call.clientToken;
  }

  it("is the same for the same seed, resources and settings, whatever the resources' order", async () => {
    // Prepare
    const resources = [vpc(VPC_A), vpc(VPC_B)];

    // Act
    const first = await tokenFor(SEED, resources);
    const redelivered = await tokenFor(SEED, [...resources].reverse());

    // Assess
    expect(redelivered).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
  });

  it("differs for another seed (a later repair), other resources or other settings", async () => {
    // Prepare
    const resources = [vpc(VPC_A)];

    // Act
    const tokens = [
      await tokenFor(SEED, resources),
      await tokenFor("1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", resources),
      await tokenFor(SEED, [vpc(VPC_B)]),
      await tokenFor(SEED, resources, "REJECT"),
    ];

    // Assess
    expect(new Set(tokens).size).toBe(4);
  });
});
