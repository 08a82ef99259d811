import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { publishNotification } from "../../../src/gateways/notification-topic.js";

const snsMock = mockClient(SNSClient);

afterEach(() => {
  snsMock.reset();
});

describe("publishNotification", () => {
  it("publishes the subject and message to the topic", async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
    const topic = "arn:aws:sns:us-east-1:123456789012:alarms";

    // Act
    await publishNotification(new SNSClient({ region: "us-east-1" }), topic, { subject: "s", message: "m" });

    // Assess
    expect(snsMock).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: topic,
      Subject: "s",
      Message: "m",
    });
  });
});
