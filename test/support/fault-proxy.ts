// Fault injection between the SDK and moto: rules in, canned AWS errors out for the first N matching calls.
import { type AwsProxy, type CannedResponse, matchesCall, startAwsProxy } from "./aws-proxy.js";

export interface FaultRule {
  /**
   * Omitted fields match any value; an empty match applies to every AWS call. `bodyIncludes` narrows to requests
   * whose raw body contains the text (form-encoded for query protocols: an account ID matches as is).
   */
  readonly match: { readonly service?: string; readonly action?: string; readonly bodyIncludes?: string };
  readonly respond: CannedResponse;
  /** How many matching requests get the fault before the rule is used up and requests pass through. */
  readonly times: number;
}

export interface FaultProxy extends AwsProxy {
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Faults still to be served across all rules. */
  pendingFaults(): number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

/** Starts a proxy in front of `targetEndpoint`; rules are tried in order, the first with faults left wins. */
export async function startFaultProxy(
  targetEndpoint: string,
  rules: readonly FaultRule[] = [],
): Promise<FaultProxy> {
  let active: ActiveRule[] = [];
  const addFault = (rule: FaultRule) => {
    active.push({ rule, remaining: rule.times });
  };
  rules.forEach(addFault);

  const proxy = await startAwsProxy(targetEndpoint, (call, body) => {
    const hit = active.find(
      (entry) =>
        entry.remaining > 0 &&
        matchesCall(entry.rule.match, call) &&
        (entry.rule.match.bodyIncludes === undefined || body.includes(entry.rule.match.bodyIncludes)),
    );
    if (hit === undefined) {
      return undefined;
    }
    hit.remaining -= 1;
    return hit.rule.respond;
  });

  return {
    ...proxy,
    addFault,
    clearFaults: () => {
      active = [];
    },
    pendingFaults: () => active.reduce((sum, entry) => sum + entry.remaining, 0),
  };
}

/** The XML body EC2 (and other EC2-query services) return for an error. */
export function ec2ErrorBody(code: string, message: string, requestId = "fault-proxy-request"): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `</Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`
  );
}

/** EC2 throttling as the real service sends it (HTTP 503), for the first `times` calls of `action`. */
export function ec2RequestLimitExceeded(action: string, times: number): FaultRule {
  return {
    match: { service: "ec2", action },
    respond: { status: 503, body: ec2ErrorBody("RequestLimitExceeded", "Request limit exceeded.") },
    times,
  };
}

function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}
