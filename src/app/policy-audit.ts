// PolicyAuditFunction's wiring: an SNS client only when the deployment has an alarm topic. It reads no policy and
// assumes no role, so it needs no POLICY_SOURCE.
import { SNSClient } from "@aws-sdk/client-sns";
import { publishNotification } from "../gateways/notification-topic.js";
import type { PolicyAuditPorts } from "../use-cases/audit-policy-change.js";
import { sdkClientConfig } from "./client-config.js";
import { readPolicyAuditConfig } from "./config.js";

export function policyAuditFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PolicyAuditPorts {
  const { alarmTopicArn, maxAttempts } = readPolicyAuditConfig(env);
  if (alarmTopicArn === undefined) return {};
  const sns = new SNSClient(sdkClientConfig({ maxAttempts }));
  return { notify: (notification) => publishNotification(sns, alarmTopicArn, notification) };
}
