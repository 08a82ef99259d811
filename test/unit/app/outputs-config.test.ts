import { describe, expect, it } from "vitest";
import { readConfig, readSweepConfig } from "../../../src/app/config.js";
import { ConfigurationError } from "../../../src/errors.js";

const POLICY_SOURCE = "ssm:/vpc-flow-log-enforcer/policy";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:flow-log-alerts";

describe("output settings", () => {
  it("are off unless set; the template's empty values mean off", () => {
    // Act
    const unset = readConfig({ POLICY_SOURCE });
    const empty = readConfig({
      POLICY_SOURCE,
      SECURITY_HUB_FINDINGS: "off",
      NOTIFICATION_TOPIC_ARN: "",
      REPORT_BUCKET: "",
    });

    // Assess
    for (const config of [unset, empty]) {
      expect(config.securityHubFindings).toBe(false);
      expect(config).not.toHaveProperty("notificationTopicArn");
      expect(config).not.toHaveProperty("reportBucket");
    }
  });

  it("reads findings, the topic and the report bucket", () => {
    // Act
    const config = readConfig({
      POLICY_SOURCE,
      SECURITY_HUB_FINDINGS: "on",
      NOTIFICATION_TOPIC_ARN: TOPIC,
      REPORT_BUCKET: "flow-log-history",
    });
    const sweep = readSweepConfig({
      SWEEP_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/sweep",
      GOVERNED_REGIONS: "us-east-1",
      REPORT_BUCKET: "flow-log-history",
    });

    // Assess
    expect(config).toMatchObject({
      securityHubFindings: true,
      notificationTopicArn: TOPIC,
      reportBucket: "flow-log-history",
    });
    expect(sweep.reportBucket).toBe("flow-log-history");
  });

  it.each([
    [
      { SECURITY_HUB_FINDINGS: "yes" },
      'environment variable SECURITY_HUB_FINDINGS must be on or off (got "yes")',
    ],
    [
      { NOTIFICATION_TOPIC_ARN: "flow-log-alerts" },
      'NOTIFICATION_TOPIC_ARN must be an SNS topic ARN (got "flow-log-alerts")',
    ],
    [
      { REPORT_BUCKET: "s3://flow-log-history" },
      'REPORT_BUCKET must be an S3 bucket name (got "s3://flow-log-history")',
    ],
  ])("refuses %j at cold start, naming the variable", (env, message) => {
    const act = () => readConfig({ POLICY_SOURCE, ...env });

    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(message);
  });
});
