// Text for Slack, in one place: its limits, and mrkdwn that is safe by construction. Slack reads `<…>` in mrkdwn as
// a mention (`<!channel>`), a link (`<https://x|y>`) or a date, even inside code blocks, so text from outside Sluice
// (a database's names, comments, defaults and errors, SQL, what a user typed) is escaped wherever it is shown. A
// builder never writes a mrkdwn string by hand: it writes the `mrkdwn` template, whose values are escaped unless they
// are Mrkdwn already, and turns it into Block Kit with the helpers below.
import type { ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from "@slack/types";

/** Slack's limits that the builders respect. */
export const SLACK_LIMITS = {
  sectionText: 3000,
  headerText: 150,
  blocksPerMessage: 50,
  blocksPerView: 100,
  optionText: 75,
  optionsPerSelect: 100,
  plainTextInput: 3000,
  buttonValue: 2000,
  /**
   * What Sluice puts in one message's blocks in all, in characters of text: Slack refuses more than about 12,000
   * (msg_blocks_too_long, undocumented; see src/sandbox/block-kit-rules.ts), so Sluice keeps well under it.
   */
  messageBlocksText: 10_000,
} as const;

/** Held only by this module: nothing else can make a Mrkdwn but through the template and helpers here. */
const madeHere = Symbol("mrkdwn made by text.ts");

/** Slack mrkdwn that is safe to send: Sluice's own markup, with everything from outside escaped. */
export class Mrkdwn {
  constructor(
    key: typeof madeHere,
    readonly text: string,
  ) {
    if (key !== madeHere) throw new TypeError("Mrkdwn is made by the mrkdwn template of text.ts");
  }

  toString(): string {
    return this.text;
  }
}

export type MrkdwnValue = string | number | Mrkdwn;

/** Escapes the three characters mrkdwn treats as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function safe(value: MrkdwnValue): string {
  return value instanceof Mrkdwn ? value.text : escapeMrkdwn(String(value));
}

/**
 * Mrkdwn from a template: the literal parts are Sluice's markup as written in the code (`*bold*`, `:emoji:`); every
 * interpolated value is escaped, unless it is Mrkdwn already (a mention, a date, a code block, another template).
 */
export function mrkdwn(literals: TemplateStringsArray, ...values: MrkdwnValue[]): Mrkdwn {
  return new Mrkdwn(madeHere, literals.reduce((text, literal, index) => text + safe(values[index - 1]!) + literal));
}

/** Values joined by `separator` (itself escaped), as one Mrkdwn. */
export function joinMrkdwn(values: readonly MrkdwnValue[], separator: string): Mrkdwn {
  return new Mrkdwn(madeHere, values.map(safe).join(escapeMrkdwn(separator)));
}

/** Shortens mrkdwn to `max` characters, saying so visibly. A cut can only drop markup, never make any. */
export function truncateMrkdwn(text: Mrkdwn, max: number): Mrkdwn {
  return new Mrkdwn(madeHere, truncate(text.text, max));
}

export function mention(userId: string): Mrkdwn {
  return new Mrkdwn(madeHere, userId === "sluice" ? "Sluice" : `<@${escapeMrkdwn(userId)}>`);
}

export function channelLink(channelId: string): Mrkdwn {
  return new Mrkdwn(madeHere, `<#${escapeMrkdwn(channelId)}>`);
}

/** A link Slack shows as `label`, escaped as Slack asks; a `|` in the URL is percent-encoded so it cannot end it early. */
export function slackLink(url: string, label: string): Mrkdwn {
  return new Mrkdwn(madeHere, `<${escapeMrkdwn(url.replace(/\|/g, "%7C"))}|${escapeMrkdwn(label)}>`);
}

/** A date each reader sees in their own time zone, with the ISO time where Slack cannot format it. */
export function slackDate(at: Date): Mrkdwn {
  return new Mrkdwn(madeHere, `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`);
}

/** A code span; a backtick in the text would end it early, so it becomes a look-alike. */
export function inlineCode(text: string): Mrkdwn {
  return new Mrkdwn(madeHere, `\`${escapeMrkdwn(text.replace(/`/g, "ˋ"))}\``);
}

/** A mrkdwn code block that fits one section, with a note when the text was cut. */
export function codeBlock(text: string, max = SLACK_LIMITS.sectionText - 100): { text: Mrkdwn; cut: boolean } {
  const body = escapeMrkdwn(text.replace(/```/g, "`\u200b``"));
  if (body.length <= max - 8) return { text: new Mrkdwn(madeHere, "```" + body + "```"), cut: false };
  return { text: new Mrkdwn(madeHere, "```" + body.slice(0, max - 40) + "\n…```"), cut: true };
}

/** Text in as many code blocks as it takes, each within `max` characters once escaped. */
export function codeBlocks(text: string, max = SLACK_LIMITS.sectionText): Mrkdwn[] {
  const blocks: Mrkdwn[] = [];
  for (let rest = text; rest.length > 0; ) {
    let size = Math.min(rest.length, max);
    while (codeBlock(rest.slice(0, size), max).cut) size = Math.floor(size * 0.9);
    blocks.push(codeBlock(rest.slice(0, size), max).text);
    rest = rest.slice(size);
  }
  return blocks;
}

/** Block Kit's mrkdwn text object: the only way the builders make one. */
export function mrkdwnText(text: Mrkdwn): MrkdwnElement {
  return { type: "mrkdwn", text: text.text };
}

export function section(text: Mrkdwn, extra: Omit<SectionBlock, "type" | "text"> = {}): SectionBlock {
  return { type: "section", text: mrkdwnText(text), ...extra };
}

export function sectionFields(fields: Mrkdwn[]): SectionBlock {
  return { type: "section", fields: fields.map(mrkdwnText) };
}

export function contextBlock(...elements: Mrkdwn[]): ContextBlock {
  return { type: "context", elements: elements.map(mrkdwnText) };
}

/** A message's text and blocks as the Web API takes them: Slack reads its text (the notification) as mrkdwn too. */
export function slackMessage(text: Mrkdwn, blocks?: KnownBlock[]): { text: string; blocks?: KnownBlock[] } {
  return { text: text.text, ...(blocks ? { blocks } : {}) };
}

/** Shortens text to `max` characters, saying so visibly. */
export function truncate(text: string, max: number, marker = "…"): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - marker.length))}${marker}`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The characters of text a message's blocks hold in all (every `text` string, however deep), as Slack counts them against messageBlocksText. */
export function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + blocksTextLength(item), 0);
  if (!value || typeof value !== "object") return 0;
  let total = 0;
  for (const [key, inner] of Object.entries(value)) {
    if (key === "text" && typeof inner === "string") total += inner.length;
    else if (typeof inner === "object") total += blocksTextLength(inner);
  }
  return total;
}
