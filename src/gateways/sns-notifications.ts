// SNS access for notifications: one Publish per notification to the deployment's topic, with the attributes
// subscribers filter on. Loaded on first use, so invocations with nothing to report never load the SNS client.
import { PublishCommand, SNSClient, type SNSClientConfig } from "@aws-sdk/client-sns";
import type { Notification } from "../reports/notification.js";

export interface NotificationPublisher {
  publish(notification: Notification): Promise<void>;
}

export function snsPublisher(sns: SNSClient, topicArn: string): NotificationPublisher {
  return {
    publish: async (notification) => {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: notification.subject,
          Message: notification.message,
          MessageAttributes: {
            accountId: { DataType: "String", StringValue: notification.attributes.accountId },
            region: { DataType: "String", StringValue: notification.attributes.region },
            // String.Array: a filter policy {"outcome": ["failed"]} matches a message listing failed among others.
            outcome: {
              DataType: "String.Array",
              StringValue: JSON.stringify(notification.attributes.outcome),
            },
          },
        }),
      );
    },
  };
}

/** The topic's own region: a topic is published to in the region it lives in. */
export function connectSns(config: SNSClientConfig, topicArn: string): NotificationPublisher {
  const region = topicArn.split(":")[3];
  return snsPublisher(new SNSClient({ ...config, ...(region ? { region } : {}) }), topicArn);
}
