import { describe, expect, it } from "vitest";
import { confirm, enforceCommand } from "../../src/cli/commands/enforce.js";
import { runAccountRegions } from "../../src/cli/commands/scan.js";
import type { AccountRegion } from "../../src/domain/resources.js";
import type { Outcome } from "../../src/engine/enforce.js";
import { UsageError } from "../../src/errors.js";
import { target as accountRegion } from "./support/builders.js";
import { recordingIo } from "./support/cli-io.js";

function target(account: string, region: string): AccountRegion {
  return accountRegion(account, region);
}

function vpcOutcome(where: AccountRegion, id: string): Outcome {
  return { ...where, resourceType: "VPC", resourceId: id, outcome: "compliant" };
}

const A = target("111111111111", "eu-west-1");
const B = target("222222222222", "eu-west-1");
const C = target("333333333333", "eu-west-1");

describe("runAccountRegions", () => {
  it("turns an account-region that throws into a failed row and still runs the others", async () => {
    const denied = Object.assign(new Error("You are not authorized to perform this operation."), {
      name: "UnauthorizedOperation",
    });

    const outcomes = await runAccountRegions(
      [A, B, C],
      async (where) => {
        if (where === B) throw denied;
        return [vpcOutcome(where, `vpc-${where.accountId.slice(0, 8)}`)];
      },
      { concurrency: 2, io: recordingIo(), title: "scanning" },
    );

    expect(outcomes).toEqual([
      vpcOutcome(A, "vpc-11111111"),
      {
        accountId: "222222222222",
        region: "eu-west-1",
        resourceType: "AccountRegion",
        resourceId: "222222222222/eu-west-1",
        outcome: "failed",
        reason: "UnauthorizedOperation: You are not authorized to perform this operation.",
      },
      vpcOutcome(C, "vpc-33333333"),
    ]);
  });

  it("keeps the order of the targets whatever order they finish in, and runs at most `concurrency` at once", async () => {
    let running = 0;
    let peak = 0;
    const delays = new Map([
      [A, 30],
      [B, 1],
      [C, 10],
    ]);

    const outcomes = await runAccountRegions(
      [A, B, C],
      async (where) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, delays.get(where)));
        running -= 1;
        return [vpcOutcome(where, where.accountId)];
      },
      { concurrency: 2, io: recordingIo(), title: "scanning" },
    );

    expect(outcomes.map((outcome) => outcome.accountId)).toEqual([
      "111111111111",
      "222222222222",
      "333333333333",
    ]);
    expect(peak).toBe(2);
  });

  it("ticks the progress bar once per account-region when stderr is a terminal", async () => {
    const io = recordingIo({ stderrIsTTY: true });

    await runAccountRegions([A, B], async (where) => [vpcOutcome(where, "vpc-1")], {
      concurrency: 1,
      io,
      title: "scanning",
    });

    expect(io.progress.filter((line) => /\d\/2 \d{12}\/eu-west-1/.test(line))).toHaveLength(2);
  });
});

describe("enforce confirmation", () => {
  it("refuses without --yes when stdin is not a terminal, before any AWS call", async () => {
    const io = recordingIo({ stdinIsTTY: false });

    const run = enforceCommand(["--policy", "policy.yaml", "--accounts", "111111111111"], io);

    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow("refusing to write without --yes: stdin is not a terminal");
  });

  it.each([
    ["y", true],
    ["YES", true],
    [" yes ", true],
    ["", false],
    ["n", false],
    ["yep", false],
  ])("answer %j proceeds: %s", async (answer, proceeds) => {
    const io = recordingIo({ stdinIsTTY: true, answers: [answer] });
    const missing = [{ ...vpcOutcome(A, "vpc-1"), outcome: "would-create" as const, reason: "no flow log" }];

    expect(await confirm(missing, 1, io)).toBe(proceeds);
    expect(io.questions).toEqual([
      "Create 1 flow log(s) covering 1 resource(s) in 1 account-region(s)? [y/N] ",
    ]);
    expect(io.stderr.join("")).toContain("vpc-1");
  });

  it("asks about the flow logs it would delete, too", async () => {
    const io = recordingIo({ stdinIsTTY: true, answers: ["y"] });
    const changing = [
      { ...vpcOutcome(A, "vpc-1"), outcome: "would-create" as const },
      {
        ...vpcOutcome(A, "vpc-2"),
        outcome: "unapproved" as const,
        unapprovedFlowLogs: [
          { flowLogId: "fl-1", destination: "arn:aws:s3:::elsewhere", action: "would-delete" as const },
        ],
        outdatedFlowLogIds: ["fl-2"],
      },
    ];

    await confirm(changing, 2, io);

    expect(io.questions).toEqual([
      "Create 1 flow log(s) covering 1 resource(s) and delete up to 2 unapproved or outdated flow log(s) once covered in 2 account-region(s)? [y/N] ",
    ]);
  });
});
