import { describe, expect, it } from "vitest";
import { onFirstUse } from "../../../src/app/enforcer.js";
import { accountOfFunctionArn } from "../../../src/app/lambda.js";

describe("onFirstUse (S3 and Organizations code loaded when first needed)", () => {
  it("loads once and hands every caller the same result", async () => {
    let loads = 0;
    const client = onFirstUse(async () => ({ id: ++loads }));

    const [first, second] = await Promise.all([client(), client()]);
    const third = await client();

    expect(loads).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it("forgets a failed load, so the next caller tries again instead of inheriting the failure", async () => {
    let attempts = 0;
    const client = onFirstUse(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("chunk not found");
      return "loaded";
    });

    await expect(client()).rejects.toThrow("chunk not found");
    await expect(client()).resolves.toBe("loaded");
    expect(attempts).toBe(2);
  });
});

describe("accountOfFunctionArn", () => {
  it("reads the account of a function ARN and rejects anything else", () => {
    expect(accountOfFunctionArn("arn:aws:lambda:eu-west-1:111111111111:function:enforcer")).toBe(
      "111111111111",
    );
    expect(accountOfFunctionArn("arn:aws:lambda:eu-west-1:local:function:enforcer")).toBeUndefined();
    expect(accountOfFunctionArn(undefined)).toBeUndefined();
  });
});
