// Types of blocks.js (plain JavaScript served to the browser as is) for the tests that import it.
export interface RenderContext {
  /** User id → display name, for `<@U…>` mentions. */
  users?: Record<string, string>;
  /** Modal field errors: block_id → message. */
  errors?: Record<string, string>;
  /** For `<!date^…>` tokens: what "today" is, and the reader's time zone (default: the browser's). */
  now?: Date;
  timeZone?: string;
}
export function escapeHtml(text: unknown): string;
export function mrkdwn(text: string, ctx?: RenderContext): string;
export function textObject(text: unknown, ctx?: RenderContext): string;
export function renderBlock(block: Record<string, unknown>, ctx?: RenderContext): string;
export function renderBlocks(blocks: unknown[], ctx?: RenderContext): string;
export function formatSlackDate(seconds: number, format: string, ctx?: RenderContext): string | undefined;
