// Helpers shared by the Config rule and remediation integration tests: seeding moto, reading the handlers' reports.
import { z } from "zod";

export {
  createS3FlowLog,
  createSubnet,
  createVpc,
  ec2Client,
  flowLogsOn,
  lambdaError,
  outcomesOf,
  policySourceFile,
} from "./moto-resources.js";

/** Bucket-only ARNs: moto wrongly rejects S3 ARNs with a prefix. */
export const CENTRAL_BUCKET = "central-flow-logs";
export const OTHER_BUCKET = "team-flow-logs";

export const CONFIG_RULE_POLICY = `
version: 1
mode: enforce
resourceTypes: [VPC, Subnet]
subnetCoverage: vpc
compliance: destination
defaults:
  destination: { type: s3, arn: "arn:\${Partition}:s3:::${CENTRAL_BUCKET}" }
  tags: { ManagedBy: vpc-flow-log-enforcer }
rules:
  - name: sandboxes-exempt
    match: { tags: { flow-logs: disabled } }
    exempt: true
`;

const evaluationSchema = z.object({
  resourceType: z.string(),
  resourceId: z.string(),
  complianceType: z.enum(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]),
  annotation: z.string().optional(),
  orderingTimestamp: z.string(),
});
const configRuleReportSchema = z.object({
  messageType: z.string(),
  accountId: z.string(),
  testMode: z.boolean(),
  putEvaluationsCalls: z.number(),
  evaluations: z.array(evaluationSchema),
});
export type ReportedEvaluation = z.infer<typeof evaluationSchema>;

/** The ConfigRuleFunction's result, checked against its shape. */
export function configRuleReport(output: unknown): z.infer<typeof configRuleReportSchema> {
  return configRuleReportSchema.parse(output);
}

/** Evaluations by resource ID. */
export function evaluationsById(output: unknown): Map<string, ReportedEvaluation> {
  return new Map(
    configRuleReport(output).evaluations.map((evaluation) => [evaluation.resourceId, evaluation]),
  );
}
