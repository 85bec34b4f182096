// Block Kit for `/db help`.
import type { KnownBlock } from "@slack/types";
import { inlineCode, joinMrkdwn, mrkdwn, section, type Mrkdwn } from "./text.ts";

export interface HelpEntry {
  usage: string;
  summary: string;
  examples: string[];
}

/** `database`: a configured database's label, for the examples' `{database}`. */
export function helpBlocks(entries: HelpEntry[], notice?: Mrkdwn, database = "<database>"): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push(section(notice));
  blocks.push({ type: "header", text: { type: "plain_text", text: "Sluice: database changes in Slack" } });
  for (const entry of entries) {
    const examples = joinMrkdwn(entry.examples.map((example) => inlineCode(example.replaceAll("{database}", database))), "\n");
    blocks.push(section(mrkdwn`*${inlineCode(entry.usage)}*\n${entry.summary}${entry.examples.length > 0 ? mrkdwn`\n${examples}` : ""}`));
  }
  return blocks;
}

export function helpText(entries: HelpEntry[]): Mrkdwn {
  return joinMrkdwn(entries.map((entry) => `${entry.usage}: ${entry.summary}`), "\n");
}
