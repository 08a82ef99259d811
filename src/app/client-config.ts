// The settings every SDK client of the product shares, in one place, so a retry or timeout policy is set once.
// Every `new …Client(` in src/ is built from this function's output (test/unit/app/client-config.test.ts checks).

/**
 * How long a TCP (and TLS) connection to an AWS endpoint may take to open. AWS endpoints answer in milliseconds;
 * seconds mean a network path that is down, and the retry should start rather than wait.
 */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;

/**
 * How long one attempt may wait for AWS's answer, and how long its socket may then sit idle. The calls the product
 * makes (Describe* pages of 1,000, CreateFlowLogs of 1,000 resources, SendMessageBatch, PutObject of one
 * account-region's outcomes) answer in well under 2 s; 10 s is five times that. A hung call is retried by the SDK
 * (TimeoutError is transient), so one call costs at most `maxAttempts` × 10 s plus backoff: 30 s with the default
 * 3 attempts, under the event enforcer's 60 s timeout and far under the sweep worker's 900 s, so a stalled endpoint
 * fails one account-region instead of timing out the whole invocation.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Retries adaptively (client-side rate limiting when AWS throttles) and bounds each attempt in time. */
export interface ClientSettings {
  /** Attempts per call including the first; undefined lets the SDK read AWS_MAX_ATTEMPTS or the profile. */
  readonly maxAttempts?: number | undefined;
  /** The client's region; undefined lets the SDK read AWS_REGION or the profile. */
  readonly region?: string | undefined;
  /** Connection timeout in ms; DEFAULT_CONNECTION_TIMEOUT_MS when undefined. */
  readonly connectionTimeoutMs?: number | undefined;
  /** Per-attempt request timeout in ms; DEFAULT_REQUEST_TIMEOUT_MS when undefined. */
  readonly requestTimeoutMs?: number | undefined;
}

/** The constructor options of the SDK's Node.js HTTP handler that the product sets. */
export type RequestHandlerSettings = {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  /** Without it, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes and keeps waiting. */
  readonly throwOnRequestTimeout: true;
  /** An idle socket after the response headers (a body that stalls) fails too, not only a late answer. */
  readonly socketTimeout: number;
};

/** What every client constructor of the product receives (spread, with a region or credentials added). */
export type SdkClientConfig = {
  readonly retryMode: "adaptive";
  /**
   * Handler options rather than a NodeHttpHandler instance: each client's runtime config passes them to
   * `NodeHttpHandler.create`, so the wiring imports no @smithy/node-http-handler of its own into cold starts.
   */
  readonly requestHandler: RequestHandlerSettings;
  readonly maxAttempts?: number;
  readonly region?: string;
};

export function sdkClientConfig(settings: ClientSettings = {}): SdkClientConfig {
  const requestTimeout = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    retryMode: "adaptive",
    requestHandler: {
      connectionTimeout: settings.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout,
      throwOnRequestTimeout: true,
      socketTimeout: requestTimeout,
    },
    ...(settings.maxAttempts === undefined ? {} : { maxAttempts: settings.maxAttempts }),
    ...(settings.region === undefined ? {} : { region: settings.region }),
  };
}
