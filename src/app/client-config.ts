// The settings every SDK client of the product shares, in one place, so a retry or timeout policy is set once.

/** Retries adaptively (client-side rate limiting when AWS throttles). */
export interface ClientSettings {
  /** Attempts per call including the first; undefined lets the SDK read AWS_MAX_ATTEMPTS or the profile. */
  readonly maxAttempts?: number | undefined;
  /** The client's region; undefined lets the SDK read AWS_REGION or the profile. */
  readonly region?: string | undefined;
}

export function sdkClientConfig(settings: ClientSettings): Readonly<Record<string, unknown>> {
  return {
    retryMode: "adaptive",
    ...(settings.maxAttempts === undefined ? {} : { maxAttempts: settings.maxAttempts }),
    ...(settings.region === undefined ? {} : { region: settings.region }),
  };
}
