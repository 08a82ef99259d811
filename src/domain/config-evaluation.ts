// An AWS Config evaluation as the product builds it (triggers/config-evaluations.ts) and sends it
// (gateways/config-gateway.ts), independent of the SDK's types.

/** The values PutEvaluations accepts; Config does not take INSUFFICIENT_DATA from custom rules. */
export type ComplianceType = "COMPLIANT" | "NON_COMPLIANT" | "NOT_APPLICABLE";

export interface ConfigEvaluation {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly complianceType: ComplianceType;
  readonly annotation?: string;
  readonly orderingTimestamp: Date;
}

/** Config rule development convention: this token means "test run", sent with TestMode so nothing is recorded. */
export const TEST_MODE_RESULT_TOKEN = "TESTMODE";
