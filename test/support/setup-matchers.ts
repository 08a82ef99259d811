// Registers the aws-sdk-client-mock matchers (toHaveReceivedCommandWith, …) on vitest's expect.
import { allCustomMatcher, type BaseMatcher } from "aws-sdk-client-mock-vitest";
import { expect } from "vitest";

expect.extend(allCustomMatcher);

declare module "vitest" {
  interface Matchers<T> extends BaseMatcher<T> {}
}
