// Slack sends a slash command's text escaped: `&`, `<` and `>` arrive as `&amp;`, `&lt;` and `&gt;`, and what looks
// like a link, an e-mail address, a mention or a channel arrives wrapped in markup (`<http://x.io|x.io>`,
// `<mailto:a@b.com|a@b.com>`, `<@U123|ada>`). Every subcommand reads SQL and names, so the text is turned back into
// what the person typed once, here, before any subcommand sees it.

/** `<…>` markup: Slack escapes a literal `<` or `>` in what was typed, so every `<` left in the text opens markup. */
const MARKUP = /<([^<>]*)>/g;
const ENTITY = /&(amp|lt|gt);/g;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">" };

/** What one piece of markup stood for in what was typed: its label when it has one, else its target. */
function typedForm(inner: string): string {
  const bar = inner.indexOf("|");
  if (bar >= 0) {
    const label = inner.slice(bar + 1);
    // A user's or channel's label is the bare name: what was typed had its @ or #.
    return /^[@#]/.test(inner) && !/^[@#]/.test(label) ? `${inner[0]}${label}` : label;
  }
  if (inner.startsWith("!")) return `@${inner.slice(1)}`; // <!here>, <!channel>
  if (inner.startsWith("mailto:")) return inner.slice("mailto:".length);
  return inner; // <http://x.io>, <@U123>, <#C123>
}

/** The text as the person typed it, from the text Slack sent. Entities are decoded once, after the markup, in one pass. */
export function typedCommandText(sent: string): string {
  return sent.replace(MARKUP, (_, inner: string) => typedForm(inner)).replace(ENTITY, (_, name: string) => ENTITIES[name]!);
}
