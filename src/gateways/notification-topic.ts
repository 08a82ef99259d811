// SNS access: one notification to one topic (the deployment's AlarmTopicArn).
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";

export async function publishNotification(
  sns: SNSClient,
  topicArn: string,
  notification: { readonly subject: string; readonly message: string },
): Promise<void> {
  await sns.send(
    new PublishCommand({ TopicArn: topicArn, Subject: notification.subject, Message: notification.message }),
  );
}
