// Small text helpers for Block Kit: Slack's limits and mrkdwn escaping, in one place.

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
} as const;

/** Escapes the three characters mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Shortens text to `max` characters, saying so visibly. */
export function truncate(text: string, max: number, marker = "…"): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - marker.length))}${marker}`;
}

/** A mrkdwn code block that fits one section, with a note when the text was cut. */
export function codeBlock(text: string, max = SLACK_LIMITS.sectionText - 100): { text: string; cut: boolean } {
  const body = escapeMrkdwn(text.replace(/```/g, "`\u200b``"));
  if (body.length <= max - 8) return { text: "```" + body + "```", cut: false };
  return { text: "```" + body.slice(0, max - 40) + "\n…```", cut: true };
}

export function mention(userId: string): string {
  return userId === "sluice" ? "Sluice" : `<@${userId}>`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
