// Block Kit for `/db help`.
import type { KnownBlock } from "@slack/types";

export interface HelpEntry {
  usage: string;
  summary: string;
  examples: string[];
}

export function helpBlocks(entries: HelpEntry[], notice?: string): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push({ type: "section", text: { type: "mrkdwn", text: notice } });
  blocks.push({ type: "header", text: { type: "plain_text", text: "Sluice: database changes in Slack" } });
  for (const entry of entries) {
    const examples = entry.examples.map((example) => `\`${example}\``).join("\n");
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `*\`${entry.usage}\`*\n${entry.summary}${examples ? `\n${examples}` : ""}` },
    });
  }
  return blocks;
}

export function helpText(entries: HelpEntry[]): string {
  return entries.map((entry) => `${entry.usage}: ${entry.summary}`).join("\n");
}
