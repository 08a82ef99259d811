// The Lambda side of the wiring: each function's ports built once per container from its environment, and the
// middleware that tells them the home account.
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { readConfig } from "./config.js";
import { createEnforcer, type Enforcer } from "./enforcer.js";

type Env = Readonly<Record<string, string | undefined>>;

/** EventEnforcerFunction, ConfigRemediationFunction and SweepWorkerFunction: the engine's ports. */
export function enforcerFromEnvironment(env: Env = process.env): Enforcer {
  return createEnforcer(readConfig(env));
}

/**
 * Middy middleware: each invocation's function ARN names the home account, so no STS call is needed to tell home
 * from member accounts.
 */
export function learnHomeAccount(enforcer: Enforcer): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: (request) => {
      const home = accountOfFunctionArn(request.context.invokedFunctionArn);
      if (home) enforcer.accounts.setHomeAccount(home);
    },
  };
}

/** The account of a Lambda function ARN (`arn:aws:lambda:region:account:function:name`). */
export function accountOfFunctionArn(arn: string | undefined): string | undefined {
  const account = arn?.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
