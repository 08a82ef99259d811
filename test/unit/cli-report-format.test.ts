import { describe, expect, it } from "vitest";
import {
  alignColumns,
  csvField,
  exitCodeFor,
  formatCsv,
  formatReport,
  formatTable,
  summaryLine,
} from "../../src/cli/report-format.js";
import type { Outcome, OutcomeKind } from "../../src/engine/enforce.js";

function outcome(kind: OutcomeKind, overrides: Partial<Outcome> = {}): Outcome {
  return {
    accountId: "111111111111",
    region: "eu-west-1",
    resourceType: "VPC",
    resourceId: "vpc-0123456789abcdef0",
    outcome: kind,
    ...overrides,
  };
}

describe("exit code", () => {
  it.each<OutcomeKind>(["compliant", "exempt", "ignored", "created", "not-found"])(
    "is 0 when every outcome is %s",
    (kind) => {
      expect(exitCodeFor([outcome("compliant"), outcome(kind)])).toBe(0);
    },
  );

  it.each<OutcomeKind>(["would-create", "delivery-failing", "unapproved", "failed"])(
    "is 2 when one outcome is %s",
    (kind) => {
      expect(exitCodeFor([outcome("compliant"), outcome(kind)])).toBe(2);
    },
  );
});

describe("table", () => {
  it("names the outdated flow logs enforcement would replace after the reason", () => {
    const text = formatTable([
      outcome("compliant", { reason: "has a compliant flow log", outdatedFlowLogIds: ["fl-9"] }),
    ]);

    expect(text).toContain("has a compliant flow log; outdated, to be replaced: fl-9");
  });

  it("aligns columns, shows - for the defaults' rule and appends flow-log IDs to the detail", () => {
    const text = formatTable([
      outcome("compliant", { flowLogIds: ["fl-1", "fl-2"], reason: "has a compliant flow log" }),
      outcome("exempt", {
        resourceType: "Subnet",
        resourceId: "subnet-0123456789abcdef0",
        rule: "sandboxes",
        reason: "exempt by rule sandboxes",
      }),
    ]);

    expect(text).toBe(
      [
        "ACCOUNT       REGION     TYPE    RESOURCE                  OUTCOME    RULE       DETAIL",
        "111111111111  eu-west-1  VPC     vpc-0123456789abcdef0     compliant  -          has a compliant flow log [fl-1 fl-2]",
        "111111111111  eu-west-1  Subnet  subnet-0123456789abcdef0  exempt     sandboxes  exempt by rule sandboxes",
        "",
      ].join("\n"),
    );
  });

  it("says so when nothing is in scope", () => {
    expect(formatTable([])).toBe("no resources in scope\n");
  });

  it("does not pad the last column", () => {
    expect(
      alignColumns([
        ["a", "b"],
        ["ccc", ""],
      ]),
    ).toBe("a    b\nccc\n");
  });
});

describe("CSV", () => {
  it("writes a header and quotes fields holding commas or quotes", () => {
    const text = formatCsv([outcome("failed", { reason: 'AccessDenied: not "allowed", sorry' })]);

    expect(text).toBe(
      "accountId,region,resourceType,resourceId,outcome,rule,flowLogIds,reason,unapprovedFlowLogs,replacedFlowLogIds,outdatedFlowLogIds\n" +
        '111111111111,eu-west-1,VPC,vpc-0123456789abcdef0,failed,,,"AccessDenied: not ""allowed"", sorry",,,\n',
    );
  });

  it("has columns for unapproved (ID>destination:action), replaced and outdated flow logs", () => {
    const text = formatCsv([
      outcome("compliant", {
        unapprovedFlowLogs: [{ flowLogId: "fl-1", destination: "arn:aws:s3:::elsewhere", action: "deleted" }],
        replacedFlowLogIds: ["fl-2"],
        outdatedFlowLogIds: ["fl-3", "fl-4"],
      }),
    ]);

    expect(text.split("\n")[1]).toBe(
      "111111111111,eu-west-1,VPC,vpc-0123456789abcdef0,compliant,,,,fl-1>arn:aws:s3:::elsewhere:deleted,fl-2,fl-3 fl-4",
    );
  });

  it("leaves plain fields unquoted", () => {
    expect(csvField("plain text")).toBe("plain text");
    expect(csvField("two\nlines")).toBe('"two\nlines"');
  });
});

describe("JSON and summary", () => {
  it("carries the run, the counts per outcome and every outcome", () => {
    const outcomes = [outcome("compliant"), outcome("would-create"), outcome("would-create")];

    const parsed: unknown = JSON.parse(
      formatReport("json", outcomes, {
        mode: "audit",
        runId: "cli-1",
        accounts: ["111111111111"],
        regions: ["eu-west-1"],
      }),
    );

    expect(parsed).toEqual({
      mode: "audit",
      runId: "cli-1",
      accounts: ["111111111111"],
      regions: ["eu-west-1"],
      summary: { compliant: 1, "would-create": 2 },
      flowLogsCreated: 0,
      outcomes,
    });
  });

  it("summarizes counts in outcome order, writes first", () => {
    expect(summaryLine([outcome("would-create"), outcome("compliant"), outcome("failed")], 3)).toBe(
      "1 resource would be covered by 1 new flow log, 1 compliant, 1 failed in 3 account-region(s)",
    );
    expect(summaryLine([], 1)).toBe("no resources in scope in 1 account-region(s)");
  });

  it("counts resources and the flow logs that cover them apart: one VPC flow log covers its subnets", () => {
    // Prepare
    const created = (resourceId: string, flowLogId: string): Outcome => ({
      ...outcome("created"),
      resourceId,
      flowLogIds: [flowLogId],
    });
    const outcomes = [
      created("vpc-1", "fl-1"),
      ...["subnet-1", "subnet-2", "subnet-3", "subnet-4", "subnet-5", "subnet-6"].map((id) =>
        created(id, "fl-1"),
      ),
      outcome("compliant"),
    ];

    // Act
    const line = summaryLine(outcomes, 1);
    const json: unknown = JSON.parse(
      formatReport("json", outcomes, { mode: "enforce", runId: "r", accounts: [], regions: [] }),
    );

    // Assess
    expect(line).toBe("7 resources covered by 1 new flow log, 1 compliant in 1 account-region(s)");
    expect(json).toMatchObject({ summary: { created: 7, compliant: 1 }, flowLogsCreated: 1 });
  });
});
