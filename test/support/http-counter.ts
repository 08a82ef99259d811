// Counts AWS calls on the wire: point AWS_ENDPOINT_URL or a client's endpoint at `endpoint` instead of moto.
import { type AwsProxy, startAwsProxy } from "./aws-proxy.js";

export type { AwsCall } from "./aws-proxy.js";
export type CallCounter = AwsProxy;

/** Starts a pass-through proxy in front of `targetEndpoint` that records every AWS call it forwards. */
export function startCallCounter(targetEndpoint: string): Promise<CallCounter> {
  return startAwsProxy(targetEndpoint);
}
