import { describe, expect, it } from "vitest";
import { renderExplanationText } from "../../src/cli/explanation.js";
import { explainResolution } from "../../src/engine/explain.js";
import type { ResourceFacts } from "../../src/policy/resolve.js";
import { ACCOUNT, placement, SUBNET_A1, VPC_A } from "./support/builders.js";
import { policyWith } from "./support/fixtures.js";

type RuleInput = NonNullable<Parameters<typeof policyWith>[0]["rules"]>[number];

const OTHER_ACCOUNT: RuleInput = {
  name: "other-account",
  match: { accounts: ["999999999999"] },
  trafficType: "REJECT",
};
const IRELAND_ONLY: RuleInput = {
  name: "ireland-only",
  match: { regions: ["eu-west-1"] },
  trafficType: "REJECT",
};
const PROD: RuleInput = { name: "prod", match: { tags: { env: "prod" } }, trafficType: "ACCEPT" };
const ANY_ENV: RuleInput = { name: "any-env", match: { tags: { env: "*" } }, trafficType: "REJECT" };
const SANDBOXES: RuleInput = {
  name: "sandboxes",
  match: { tags: { "flow-logs": "disabled" } },
  exempt: true,
};

function vpc(tags: Record<string, string>): ResourceFacts {
  return { type: "VPC", id: VPC_A, tags };
}

describe("explainResolution", () => {
  it("names the failing condition of each earlier rule, the first match, and leaves later rules unreached", () => {
    // Prepare
    const policy = policyWith({ rules: [OTHER_ACCOUNT, IRELAND_ONLY, PROD, ANY_ENV, SANDBOXES] });

    // Act
    const explanation = explainResolution(policy, vpc({ env: "prod" }), placement(), "--tags");

    // Assess
    expect(explanation.rules).toEqual([
      {
        index: 0,
        name: "other-account",
        result: "no-match",
        reason: `account ${ACCOUNT} is not in match.accounts [999999999999]`,
      },
      {
        index: 1,
        name: "ireland-only",
        result: "no-match",
        reason: "region us-east-1 is not in match.regions [eu-west-1]",
      },
      { index: 2, name: "prod", result: "matches", exempt: false },
      { index: 3, name: "any-env", result: "not-reached" },
      { index: 4, name: "sandboxes", result: "not-reached" },
    ]);
    expect(explanation.result).toMatchObject({
      kind: "enforce",
      rule: "prod",
      settings: { trafficType: "ACCEPT" },
    });
  });

  it("explains a wrong tag value and a missing tag", () => {
    const policy = policyWith({ rules: [PROD, SANDBOXES] });

    const explanation = explainResolution(policy, vpc({ env: "dev" }), placement(), "EC2");

    expect(explanation.rules).toEqual([
      { index: 0, name: "prod", result: "no-match", reason: 'tag env is "dev", not "prod" (match.tags)' },
      {
        index: 1,
        name: "sandboxes",
        result: "no-match",
        reason: "tag flow-logs is missing (match.tags wants flow-logs=disabled)",
      },
    ]);
    expect(explanation.result).toMatchObject({ kind: "enforce", settings: { trafficType: "ALL" } });
    expect(explanation.result).not.toHaveProperty("rule");
  });

  it("reports an exempt rule as the result", () => {
    const policy = policyWith({ rules: [SANDBOXES] });

    const explanation = explainResolution(policy, vpc({ "flow-logs": "disabled" }), placement(), "--tags");

    expect(explanation.result).toEqual({ kind: "exempt", rule: "sandboxes" });
    expect(renderExplanationText(explanation)).toContain("result:     EXEMPT by rule sandboxes");
  });

  it("reports a resource type outside the policy as out of scope without tracing rules", () => {
    const policy = policyWith({ resourceTypes: ["VPC"], rules: [SANDBOXES] });

    const explanation = explainResolution(
      policy,
      { type: "Subnet", id: SUBNET_A1, tags: {} },
      placement(),
      "--tags",
    );

    expect(explanation.rules).toEqual([]);
    expect(explanation.result).toMatchObject({ kind: "out-of-scope" });
  });

  it("asks for --vpc when a subnet's settings need ${VpcId} and its VPC is unknown", () => {
    const policy = policyWith({
      defaults: { destination: { type: "s3", arn: "arn:${Partition}:s3:::logs/${VpcId}/" } },
    });

    const explanation = explainResolution(
      policy,
      { type: "Subnet", id: SUBNET_A1, tags: {} },
      placement(),
      "--tags",
    );

    expect(explanation.result).toEqual({
      kind: "error",
      reason: "PlaceholderError: ${VpcId} has no value for this resource (pass --vpc <vpc-id>)",
    });
  });

  it("cannot decide an OU rule without the account's OUs, and says so", () => {
    const policy = policyWith({
      rules: [{ name: "by-ou", match: { organizationalUnits: ["ou-ab12-cd34ef56"] }, exempt: true }],
    });

    const explanation = explainResolution(policy, vpc({}), placement(), "not needed");

    expect(explanation.rules[0]).toMatchObject({ result: "undecidable" });
    expect(explanation.result).toMatchObject({ kind: "error" });
    const withOus = explainResolution(
      policy,
      vpc({}),
      placement({ organizationalUnits: ["ou-ab12-cd34ef56"] }),
      "not needed",
    );
    expect(withOus.result).toEqual({ kind: "exempt", rule: "by-ou" });
  });

  it("renders the resolved settings, the subnet's VPC coverage and the compliance level", () => {
    const policy = policyWith({});

    const text = renderExplanationText(
      explainResolution(
        policy,
        { type: "Subnet", id: SUBNET_A1, vpcId: VPC_A, tags: {} },
        placement(),
        "--tags",
      ),
    );

    expect(text).toContain(`result:     ENFORCE with the defaults (no rule matches)`);
    expect(text).toMatch(new RegExp(`destination\\.arn\\s+arn:aws:s3:::central-flow-logs/${ACCOUNT}/`));
    expect(text).toMatch(/tags\s+ManagedBy=vpc-flow-log-enforcer/);
    expect(text).toContain(`a compliant flow log on its VPC ${VPC_A} also covers this subnet`);
    expect(text).toContain("compliance: destination: an ACTIVE flow log to arn:aws:s3:::central-flow-logs/");
  });
});

describe("renderExplanationText: what the engine found on the resource", () => {
  it("lists unapproved and outdated flow logs with what enforcement does about them", () => {
    // Prepare
    const policy = policyWith({
      approvedDestinations: ["arn:aws:s3:::archive-*"],
      unapprovedFlowLogs: "delete",
    });
    const explanation = {
      ...explainResolution(policy, vpc({}), placement(), "EC2"),
      coverage: {
        kind: "compliant" as const,
        flowLogIds: ["fl-good"],
        reason: "has a compliant flow log",
        findings: {
          unapproved: [{ flowLogId: "fl-bad", destination: "arn:aws:s3:::elsewhere" }],
          outdated: [{ flowLogId: "fl-old", destination: "arn:aws:s3:::central-v1" }],
        },
      },
    };

    // Act
    const text = renderExplanationText(explanation);

    // Assess
    expect(text).toContain(
      "unapproved: fl-bad to arn:aws:s3:::elsewhere (not the policy's destination nor in approvedDestinations; unapprovedFlowLogs is delete: enforcement deletes it once the resource is covered by a compliant flow log)",
    );
    expect(text).toContain("outdated:   fl-old to arn:aws:s3:::central-v1 (created by the enforcer");
  });

  it("says why a shared VPC is ignored", () => {
    // Prepare
    const policy = policyWith({});
    const explanation = {
      ...explainResolution(policy, vpc({}), placement(), "EC2"),
      coverage: {
        kind: "ignored" as const,
        reason: "owned by account 999999999999: shared with this account",
      },
    };

    // Act
    const text = renderExplanationText(explanation);

    // Assess
    expect(text).toContain("coverage:   IGNORED: owned by account 999999999999: shared with this account");
  });
});
