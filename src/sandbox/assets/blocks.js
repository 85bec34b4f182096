// Renders the Block Kit Sluice sends (messages and modals) to HTML, for the sandbox page. Pure functions over
// JSON: no DOM access, so the same module runs in the browser and in the tests. Unknown blocks and elements are
// shown as their JSON, never dropped.

const EMOJI = {
  warning: "⚠️", white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", no_entry: "⛔", no_entry_sign: "🚫",
  rotating_light: "🚨", hourglass: "⌛", hourglass_flowing_sand: "⏳", lock: "🔒", unlock: "🔓", mag: "🔍",
  arrows_counterclockwise: "🔄", leftwards_arrow_with_hook: "↩️", rewind: "⏪", information_source: "ℹ️",
  large_green_circle: "🟢", large_yellow_circle: "🟡", red_circle: "🔴", large_blue_circle: "🔵", white_circle: "⚪",
  eyes: "👀", clipboard: "📋", memo: "📝", page_facing_up: "📄", file_folder: "📁", gear: "⚙️", wrench: "🔧",
  hammer_and_wrench: "🛠️", construction: "🚧", stop_sign: "🛑", thumbsup: "👍", "+1": "👍", thumbsdown: "👎",
  raised_hand: "✋", bust_in_silhouette: "👤", busts_in_silhouette: "👥", clock1: "🕐", stopwatch: "⏱️",
  bar_chart: "📊", chart_with_upwards_trend: "📈", card_index_dividers: "🗂️", floppy_disk: "💾", books: "📚",
  tada: "🎉", sparkles: "✨", zap: "⚡", fire: "🔥", question: "❓", exclamation: "❗", heavy_plus_sign: "➕",
  heavy_minus_sign: "➖", pencil2: "✏️", wastebasket: "🗑️", link: "🔗", key: "🔑", shield: "🛡️", database: "🗄️",
  file_cabinet: "🗄️", satellite: "📡", robot_face: "🤖", triangular_flag_on_post: "🚩",
};

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Slack escapes &, < and > in message text; the client shows them as the characters. */
function unescapeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emoji(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

function userName(id, ctx) {
  return ctx.users?.[id] ?? id;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function ordinal(day) {
  const tens = day % 100;
  if (tens >= 11 && tens <= 13) return `${day}th`;
  return `${day}${{ 1: "st", 2: "nd", 3: "rd" }[day % 10] ?? "th"}`;
}

/** The parts of a moment in `timeZone` (undefined: the browser's own). */
function partsOf(date, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric", weekday: "short", hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
  return { year: Number(parts.year), month: Number(parts.month) - 1, day: Number(parts.day), weekday, hour: parts.hour, minute: parts.minute, second: parts.second, dayPeriod: parts.dayPeriod };
}

/** Slack's `<!date^seconds^format^link|fallback>`: the format's tokens drawn in the reader's time zone, as Slack does. */
export function formatSlackDate(seconds, format, ctx = {}) {
  const date = new Date(seconds * 1000);
  if (!Number.isFinite(seconds) || Number.isNaN(date.getTime())) return undefined;
  const at = partsOf(date, ctx.timeZone);
  const now = partsOf(ctx.now ?? new Date(), ctx.timeZone);
  const dayNumber = (p) => Date.UTC(p.year, p.month, p.day) / 86_400_000;
  const relative = { 0: "Today", [-1]: "Yesterday", 1: "Tomorrow" }[dayNumber(at) - dayNumber(now)];
  const dateLong = `${WEEKDAYS[at.weekday]}, ${MONTHS[at.month]} ${ordinal(at.day)}, ${at.year}`;
  const dateText = `${MONTHS[at.month]} ${ordinal(at.day)}, ${at.year}`;
  const dateShort = `${MONTHS[at.month].slice(0, 3)} ${at.day}, ${at.year}`;
  const tokens = {
    date_num: `${at.year}-${String(at.month + 1).padStart(2, "0")}-${String(at.day).padStart(2, "0")}`,
    date: dateText,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: relative ?? dateText,
    date_short_pretty: relative ?? dateShort,
    date_long_pretty: relative ?? dateLong,
    time: `${at.hour}:${at.minute} ${at.dayPeriod}`,
    time_secs: `${at.hour}:${at.minute}:${at.second} ${at.dayPeriod}`,
  };
  return format.replace(/\{([a-z_]+)\}/g, (whole, name) => tokens[name] ?? whole);
}

function dateToken(target, label, ctx) {
  const [, seconds, format = "", link] = target.split("^");
  const text = formatSlackDate(Number(seconds), format, ctx) ?? unescapeSlack(label ?? "");
  const iso = Number.isFinite(Number(seconds)) ? new Date(Number(seconds) * 1000).toISOString() : "";
  const shown = `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(iso)}">${escapeHtml(text)}</time>`;
  return link && /^https?:/.test(link) ? `<a href="${escapeHtml(link)}" target="_blank" rel="noopener">${shown}</a>` : shown;
}

/** `<@U1>`, `<#C1|name>`, `<!here>`, `<!date^…>`, `<url|text>`, `<url>`. */
function special(inner, ctx) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("!date^")) return dateToken(target, label, ctx);
  if (target.startsWith("@")) return `<span class="mention">@${escapeHtml(label ?? userName(target.slice(1), ctx))}</span>`;
  if (target.startsWith("#")) return `<span class="mention">#${escapeHtml(label ?? target.slice(1))}</span>`;
  if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(label ?? target.slice(1).split("^")[0])}</span>`;
  const href = /^(https?:|mailto:|\/)/.test(target) ? target : "#";
  return `<a href="${escapeHtml(unescapeSlack(href))}" target="_blank" rel="noopener">${escapeHtml(unescapeSlack(label ?? target))}</a>`;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/** *bold*, _italic_, ~strike~ and `code` inside one line, with `<…>` specials (which bold may wrap). */
function inline(line, ctx) {
  const tokens = [];
  const placeheld = line.replace(/`([^`\n]+)`|<([^<>\n]+)>/g, (_whole, code, inner) => {
    tokens.push(code !== undefined ? `<code>${escapeHtml(unescapeSlack(code))}</code>` : special(inner, ctx));
    return `\u0000${tokens.length - 1}\u0000`;
  });
  return styled(placeheld).replace(/\u0000(\d+)\u0000/g, (_whole, i) => tokens[Number(i)]);
}

function styled(text) {
  const edge = "(?=$|[\\s.,:;!?)\\u0000])";
  return emoji(
    escapeHtml(unescapeSlack(text))
      .replace(new RegExp(`(^|[\\s(\\u0000])\\*([^*\\n]+)\\*${edge}`, "g"), "$1<b>$2</b>")
      .replace(new RegExp(`(^|[\\s(\\u0000])_([^_\\n]+)_${edge}`, "g"), "$1<i>$2</i>")
      .replace(new RegExp(`(^|[\\s(\\u0000])~([^~\\n]+)~${edge}`, "g"), "$1<s>$2</s>"),
  );
}

/** Slack's mrkdwn: ``` blocks, `code`, *bold*, _italic_, ~strike~, > quotes, links, mentions, :emoji:. */
export function mrkdwn(text, ctx = {}) {
  const parts = String(text ?? "").split("```");
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<pre class="code">${escapeHtml(unescapeSlack(part.replace(/^\n/, "")))}</pre>`;
      // A newline next to a ``` fence belongs to the fence, as in Slack.
      const trimmed = part.replace(i > 0 ? /^\n/ : /^$/, "").replace(i < parts.length - 1 ? /\n$/ : /^$/, "");
      return trimmed
        .split("\n")
        .map((line) => {
          const quote = /^(&gt;|>)\s?(.*)$/.exec(line);
          return quote ? `<span class="quote">${inline(quote[2], ctx)}</span>` : inline(line, ctx);
        })
        .join("<br>");
    })
    .join("");
}

export function textObject(text, ctx = {}) {
  if (!text) return "";
  if (typeof text === "string") return escapeHtml(text);
  return text.type === "mrkdwn" ? mrkdwn(text.text, ctx) : emoji(escapeHtml(text.text));
}

function rawJson(value, what) {
  return `<pre class="unknown" data-unknown="${escapeHtml(what)}" title="Shown as JSON: the sandbox does not render ${escapeHtml(what)}">${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
}

function attr(value) {
  return escapeHtml(JSON.stringify(value));
}

/** An element that sends block_actions when used. */
function actionData(element, blockId) {
  return { type: element.type, action_id: element.action_id, block_id: blockId, confirm: element.confirm ?? null };
}

function button(element, blockId) {
  const style = element.style === "primary" || element.style === "danger" ? ` ${element.style}` : "";
  const action = { ...actionData(element, blockId), value: element.value, text: element.text };
  if (element.url) return `<a class="btn${style}" href="${escapeHtml(element.url)}" target="_blank" rel="noopener">${textObject(element.text)}</a>`;
  return `<button type="button" class="btn${style}" data-action="${attr(action)}">${textObject(element.text)}</button>`;
}

function flatOptions(element) {
  if (element.option_groups) return element.option_groups.flatMap((group) => group.options ?? []);
  return element.options ?? [];
}

function sameOption(a, b) {
  return Boolean(a && b) && a.value === b.value;
}

function selectElement(element, blockId, id, interactive) {
  const options = flatOptions(element);
  let index = 0;
  const option = (o) => {
    const i = index++;
    const selected = sameOption(o, element.initial_option) ? " selected" : "";
    return `<option value="${i}"${selected}>${escapeHtml(o.text?.text ?? o.value)}</option>`;
  };
  const body = element.option_groups
    ? element.option_groups.map((g) => `<optgroup label="${escapeHtml(g.label?.text ?? "")}">${(g.options ?? []).map(option).join("")}</optgroup>`).join("")
    : options.map(option).join("");
  const placeholder = `<option value=""${element.initial_option ? "" : " selected"}>${escapeHtml(element.placeholder?.text ?? "Select an option")}</option>`;
  const dispatch = interactive ? ` data-dispatch="${attr(actionData(element, blockId))}"` : "";
  return `<select id="${id}" class="el" data-type="static_select" data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(element.action_id)}" data-options="${attr(options)}"${dispatch}>${placeholder}${body}</select>`;
}

/** A type-ahead (external_select): what is typed asks Sluice for options (block_suggestion); the select shows them. */
function externalSelectElement(element, blockId, id) {
  const options = element.initial_option ? [element.initial_option] : [];
  const shown = options.map((o, i) => `<option value="${i}" selected>${escapeHtml(o.text?.text ?? o.value)}</option>`).join("");
  const placeholder = `<option value=""${options.length ? "" : " selected"}>${escapeHtml(element.placeholder?.text ?? "Type to search")}</option>`;
  return (
    `<span class="el external" id="${id}" data-type="external_select" data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(element.action_id)}" data-options="${attr(options)}">` +
    `<input type="search" class="suggest-query" placeholder="${escapeHtml(element.placeholder?.text ?? "Type to search")}"><select class="suggest-options">${placeholder}${shown}</select></span>`
  );
}

function multiSelectElement(element, blockId, id) {
  const options = flatOptions(element);
  const chosen = element.initial_options ?? [];
  const items = options.map((o, i) => `<option value="${i}"${chosen.some((x) => sameOption(x, o)) ? " selected" : ""}>${escapeHtml(o.text?.text ?? o.value)}</option>`).join("");
  const placeholder = element.placeholder ? ` aria-placeholder="${escapeHtml(element.placeholder.text)}" title="${escapeHtml(element.placeholder.text)}"` : "";
  return `<select id="${id}" class="el" multiple size="${Math.min(Math.max(options.length, 2), 6)}" data-type="multi_static_select" data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(element.action_id)}" data-options="${attr(options)}"${placeholder}>${items}</select>`;
}

function choiceElement(element, blockId, kind, interactive) {
  const options = element.options ?? [];
  const initial = kind === "radio" ? [element.initial_option].filter(Boolean) : element.initial_options ?? [];
  const name = `${blockId}/${element.action_id}`;
  const dispatch = interactive ? ` data-dispatch="${attr(actionData(element, blockId))}"` : "";
  const items = options
    .map((o, i) => {
      const checked = initial.some((x) => sameOption(x, o)) ? " checked" : "";
      const description = o.description ? `<span class="hint">${textObject(o.description)}</span>` : "";
      return `<label class="choice"><input type="${kind}" name="${escapeHtml(name)}" value="${i}"${checked}> ${textObject(o.text)}${description}</label>`;
    })
    .join("");
  const type = kind === "radio" ? "radio_buttons" : "checkboxes";
  return `<div class="el choices" data-type="${type}" data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(element.action_id)}" data-options="${attr(options)}"${dispatch}>${items}</div>`;
}

function inputElement(element, blockId, id, interactive) {
  const ids = `id="${id}" data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(element.action_id)}"`;
  const placeholder = element.placeholder ? ` placeholder="${escapeHtml(element.placeholder.text)}"` : "";
  switch (element.type) {
    case "plain_text_input":
      return element.multiline
        ? `<textarea class="el" data-type="plain_text_input" ${ids}${placeholder} rows="6">${escapeHtml(element.initial_value ?? "")}</textarea>`
        : `<input class="el" data-type="plain_text_input" ${ids}${placeholder} value="${escapeHtml(element.initial_value ?? "")}">`;
    case "number_input":
    case "email_text_input":
    case "url_text_input": {
      const type = { number_input: "number", email_text_input: "email", url_text_input: "url" }[element.type];
      return `<input class="el" type="${type}" data-type="${element.type}" ${ids}${placeholder} value="${escapeHtml(element.initial_value ?? "")}">`;
    }
    case "datepicker":
      return `<input class="el" type="date" data-type="datepicker" ${ids} value="${escapeHtml(element.initial_date ?? "")}">`;
    case "static_select":
      return selectElement(element, blockId, id, interactive);
    case "external_select":
      return externalSelectElement(element, blockId, id);
    case "multi_static_select":
      return multiSelectElement(element, blockId, id);
    case "radio_buttons":
      return choiceElement(element, blockId, "radio", interactive);
    case "checkboxes":
      return choiceElement(element, blockId, "checkbox", interactive);
    case "file_input":
      return `<input class="el" type="file" data-type="file_input" ${ids}${element.max_files > 1 ? " multiple" : ""} accept="${escapeHtml((element.filetypes ?? []).map((t) => `.${t}`).join(","))}">`;
    case "users_select":
      return `<select class="el" data-type="users_select" ${ids}><option value=""></option></select>`;
    default:
      return rawJson(element, `element ${element.type}`);
  }
}

/** An element in a section accessory or an actions block. */
function interactiveElement(element, blockId, ctx) {
  switch (element.type) {
    case "button":
      return button(element, blockId);
    case "image":
      return `<img class="thumb" src="${escapeHtml(element.image_url)}" alt="${escapeHtml(element.alt_text)}">`;
    case "overflow": {
      // Slack's "…" menu: each option sends the element's action with that option selected (after its confirm, if any).
      const items = element.options
        .map((o) => {
          const action = { ...actionData(element, blockId), selected_option: { text: o.text, value: o.value } };
          return `<button type="button" class="menu-item" role="menuitem" data-action="${attr(action)}">${textObject(o.text)}</button>`;
        })
        .join("");
      return `<details class="overflow"><summary class="btn overflow-toggle" aria-label="More actions" title="More actions">…</summary><div class="menu" role="menu">${items}</div></details>`;
    }
    case "static_select":
    case "radio_buttons":
    case "checkboxes":
      return inputElement(element, blockId, nextId(ctx), true);
    default:
      return rawJson(element, `element ${element.type}`);
  }
}

function nextId(ctx) {
  ctx.sequence = (ctx.sequence ?? 0) + 1;
  return `el-${ctx.sequence}`;
}

function richTextElements(elements, ctx) {
  return (elements ?? [])
    .map((e) => {
      switch (e.type) {
        case "text": {
          let html = escapeHtml(e.text).replace(/\n/g, "<br>");
          if (e.style?.code) html = `<code>${html}</code>`;
          if (e.style?.bold) html = `<b>${html}</b>`;
          if (e.style?.italic) html = `<i>${html}</i>`;
          if (e.style?.strike) html = `<s>${html}</s>`;
          return html;
        }
        case "link":
          return `<a href="${escapeHtml(e.url)}" target="_blank" rel="noopener">${escapeHtml(e.text ?? e.url)}</a>`;
        case "user":
          return `<span class="mention">@${escapeHtml(userName(e.user_id, ctx))}</span>`;
        case "channel":
          return `<span class="mention">#${escapeHtml(e.channel_id)}</span>`;
        case "emoji":
          return EMOJI[e.name] ?? `:${escapeHtml(e.name)}:`;
        default:
          return rawJson(e, `rich text element ${e.type}`);
      }
    })
    .join("");
}

function richText(block, ctx) {
  return (block.elements ?? [])
    .map((part) => {
      switch (part.type) {
        case "rich_text_section":
          return `<div>${richTextElements(part.elements, ctx)}</div>`;
        case "rich_text_preformatted":
          return `<pre class="code">${richTextElements(part.elements, ctx)}</pre>`;
        case "rich_text_quote":
          return `<blockquote>${richTextElements(part.elements, ctx)}</blockquote>`;
        case "rich_text_list": {
          const tag = part.style === "ordered" ? "ol" : "ul";
          return `<${tag}>${(part.elements ?? []).map((item) => `<li>${richTextElements(item.elements, ctx)}</li>`).join("")}</${tag}>`;
        }
        default:
          return rawJson(part, `rich text part ${part.type}`);
      }
    })
    .join("");
}

function inputBlock(block, ctx) {
  const id = nextId(ctx);
  const error = ctx.errors?.[block.block_id];
  const label = `<label class="label" for="${id}">${textObject(block.label)}${block.optional ? ' <span class="optional">(optional)</span>' : ""}</label>`;
  const hint = block.hint ? `<div class="hint">${textObject(block.hint)}</div>` : "";
  const errorHtml = error ? `<div class="field-error" role="alert">${escapeHtml(error)}</div>` : "";
  const element = inputElement(block.element, block.block_id, id, Boolean(block.dispatch_action));
  const required = block.optional ? "" : ' data-required="true"';
  return `<div class="block input${error ? " has-error" : ""}" data-block-id="${escapeHtml(block.block_id)}" data-label="${escapeHtml(block.label?.text ?? "")}"${required}>${label}${element}${hint}${errorHtml}</div>`;
}

export function renderBlock(block, ctx = {}) {
  const blockId = block.block_id ?? "";
  switch (block.type) {
    case "header":
      return `<div class="block header">${textObject(block.text, ctx)}</div>`;
    case "section": {
      const text = block.text ? `<div class="text">${textObject(block.text, ctx)}</div>` : "";
      const fields = block.fields ? `<div class="fields">${block.fields.map((f) => `<div>${textObject(f, ctx)}</div>`).join("")}</div>` : "";
      const accessory = block.accessory ? `<div class="accessory">${interactiveElement(block.accessory, blockId, ctx)}</div>` : "";
      return `<div class="block section"><div class="body">${text}${fields}</div>${accessory}</div>`;
    }
    case "context":
      return `<div class="block context">${(block.elements ?? [])
        .map((e) => (e.type === "image" ? `<img class="icon" src="${escapeHtml(e.image_url)}" alt="${escapeHtml(e.alt_text)}">` : `<span>${textObject(e, ctx)}</span>`))
        .join("")}</div>`;
    case "divider":
      return `<hr class="block divider">`;
    case "actions":
      return `<div class="block actions">${(block.elements ?? []).map((e) => interactiveElement(e, blockId, ctx)).join("")}</div>`;
    case "image":
      return `<div class="block image">${block.title ? `<div>${textObject(block.title)}</div>` : ""}<img src="${escapeHtml(block.image_url)}" alt="${escapeHtml(block.alt_text)}"></div>`;
    case "rich_text":
      return `<div class="block rich-text">${richText(block, ctx)}</div>`;
    case "input":
      return inputBlock(block, ctx);
    default:
      return `<div class="block">${rawJson(block, `block ${block.type}`)}</div>`;
  }
}

/** `ctx`: { users: id → name, errors: block_id → message (modals) }. */
export function renderBlocks(blocks, ctx = {}) {
  return (blocks ?? []).map((block) => renderBlock(block, ctx)).join("");
}
