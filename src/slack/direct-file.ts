// Sends a user a file in their direct messages with Sluice: where the whole of an answer only they see goes when it
// is longer than a message (a channel would show it to everyone; Slack files cannot be ephemeral).
import type { WebClient } from "@slack/web-api";
import type { Mrkdwn } from "./blocks/text.ts";

export async function sendDirectFile(client: WebClient, userId: string, file: { filename: string; content: string; comment: Mrkdwn }): Promise<void> {
  const direct = await client.conversations.open({ users: userId });
  await client.filesUploadV2({
    channel_id: direct.channel!.id!,
    filename: file.filename,
    title: file.filename,
    content: file.content,
    initial_comment: file.comment.text,
  });
}
