// The limits Slack enforces on what an app sends, checked the way Slack checks them: a message or view that breaks
// one is refused whole (`ok: false`), never shown cut. The local Slack applies them to every post, update, modal and
// response_url answer, so what passes here passes in Slack. Limits from Slack's Block Kit reference.
import { blocksTextLength } from "../slack/blocks/text.ts";

export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  optionsPerSelect: 100,
  optionsPerRadio: 10,
  optionsPerOverflow: 5,
  placeholderText: 150,
  labelText: 2000,
  inputMaxLength: 3000,
  privateMetadata: 3000,
  viewTitle: 24,
  viewButton: 24,
  blockId: 255,
  actionId: 255,
  messageText: 40_000,
  /**
   * All the text a message's blocks hold together. Slack does not document it, but refuses more with
   * msg_blocks_too_long: reported at ~13,300 characters of markdown blocks, and at 11,341 characters of text in section,
   * header, context and rich-text blocks (slackapi/bolt-js issues 2509 and 2867; a maintainer there speaks of 12,000
   * characters of text with room for the blocks around it). The local Slack refuses past 11,000.
   */
  messageBlocksText: 11_000,
} as const;

/** Why Slack would refuse it: an error code and Slack-style messages with a JSON pointer to each broken part. */
export interface SlackRejection {
  error: "invalid_blocks" | "invalid_arguments" | "msg_too_long" | "msg_blocks_too_long";
  messages: string[];
}

type Json = Record<string, unknown>;

class Problems {
  readonly messages: string[] = [];

  tooLong(value: unknown, max: number, pointer: string): void {
    if (typeof value === "string" && value.length > max) this.messages.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${pointer}]`);
  }

  tooMany(list: unknown, max: number, pointer: string): void {
    if (Array.isArray(list) && list.length > max) this.messages.push(`[ERROR] must provide no more than ${max} items [json-pointer:${pointer}]`);
  }
}

function textOf(object: unknown): unknown {
  return object && typeof object === "object" ? (object as Json).text : undefined;
}

function checkOptions(options: unknown, max: number, pointer: string, problems: Problems): void {
  problems.tooMany(options, max, pointer);
  if (!Array.isArray(options)) return;
  options.forEach((option: Json, index) => {
    problems.tooLong(textOf(option.text), BLOCK_KIT_LIMITS.optionText, `${pointer}/${index}/text/text`);
    problems.tooLong(option.value, BLOCK_KIT_LIMITS.optionValue, `${pointer}/${index}/value`);
  });
}

function checkElement(element: Json | undefined, pointer: string, problems: Problems): void {
  if (!element || typeof element !== "object") return;
  problems.tooLong(element.action_id, BLOCK_KIT_LIMITS.actionId, `${pointer}/action_id`);
  problems.tooLong(textOf(element.placeholder), BLOCK_KIT_LIMITS.placeholderText, `${pointer}/placeholder/text`);
  switch (element.type) {
    case "button":
      problems.tooLong(textOf(element.text), BLOCK_KIT_LIMITS.buttonText, `${pointer}/text/text`);
      problems.tooLong(element.value, BLOCK_KIT_LIMITS.buttonValue, `${pointer}/value`);
      break;
    case "static_select":
    case "multi_static_select":
      checkOptions(element.options, BLOCK_KIT_LIMITS.optionsPerSelect, `${pointer}/options`, problems);
      problems.tooMany(element.option_groups, BLOCK_KIT_LIMITS.optionsPerSelect, `${pointer}/option_groups`);
      break;
    case "radio_buttons":
    case "checkboxes":
      checkOptions(element.options, BLOCK_KIT_LIMITS.optionsPerRadio, `${pointer}/options`, problems);
      break;
    case "overflow":
      checkOptions(element.options, BLOCK_KIT_LIMITS.optionsPerOverflow, `${pointer}/options`, problems);
      break;
    case "plain_text_input": {
      const max = typeof element.max_length === "number" ? element.max_length : BLOCK_KIT_LIMITS.inputMaxLength;
      if (max > BLOCK_KIT_LIMITS.inputMaxLength) problems.messages.push(`[ERROR] must be less than ${BLOCK_KIT_LIMITS.inputMaxLength + 1} [json-pointer:${pointer}/max_length]`);
      problems.tooLong(element.initial_value, max, `${pointer}/initial_value`);
      break;
    }
  }
  for (const key of ["initial_option", "initial_options"]) {
    const initial = element[key];
    for (const [index, option] of (Array.isArray(initial) ? initial : initial ? [initial] : []).entries()) {
      problems.tooLong(textOf((option as Json).text), BLOCK_KIT_LIMITS.optionText, `${pointer}/${key}${Array.isArray(initial) ? `/${index}` : ""}/text/text`);
    }
  }
}

function checkBlock(block: Json, pointer: string, problems: Problems): void {
  problems.tooLong(block.block_id, BLOCK_KIT_LIMITS.blockId, `${pointer}/block_id`);
  switch (block.type) {
    case "section":
      problems.tooLong(textOf(block.text), BLOCK_KIT_LIMITS.sectionText, `${pointer}/text/text`);
      problems.tooMany(block.fields, BLOCK_KIT_LIMITS.sectionFields, `${pointer}/fields`);
      if (Array.isArray(block.fields)) block.fields.forEach((field, index) => problems.tooLong(textOf(field), BLOCK_KIT_LIMITS.sectionFieldText, `${pointer}/fields/${index}/text`));
      checkElement(block.accessory as Json | undefined, `${pointer}/accessory`, problems);
      break;
    case "header":
      problems.tooLong(textOf(block.text), BLOCK_KIT_LIMITS.headerText, `${pointer}/text/text`);
      break;
    case "context":
      problems.tooMany(block.elements, BLOCK_KIT_LIMITS.contextElements, `${pointer}/elements`);
      if (Array.isArray(block.elements)) block.elements.forEach((element, index) => problems.tooLong(textOf(element), BLOCK_KIT_LIMITS.sectionText, `${pointer}/elements/${index}/text`));
      break;
    case "actions":
      problems.tooMany(block.elements, BLOCK_KIT_LIMITS.actionsElements, `${pointer}/elements`);
      if (Array.isArray(block.elements)) block.elements.forEach((element: Json, index) => checkElement(element, `${pointer}/elements/${index}`, problems));
      break;
    case "input":
      problems.tooLong(textOf(block.label), BLOCK_KIT_LIMITS.labelText, `${pointer}/label/text`);
      problems.tooLong(textOf(block.hint), BLOCK_KIT_LIMITS.labelText, `${pointer}/hint/text`);
      checkElement(block.element as Json | undefined, `${pointer}/element`, problems);
      break;
  }
}

function checkBlocks(blocks: unknown, max: number, pointer: string, problems: Problems): void {
  problems.tooMany(blocks, max, pointer);
  if (Array.isArray(blocks)) blocks.forEach((block: Json, index) => checkBlock(block, `${pointer}/${index}`, problems));
}

/** What Slack says of a message (chat.postMessage, postEphemeral, update, a response_url answer); undefined if it takes it. */
export function messageRejection(message: Json): SlackRejection | undefined {
  if (typeof message.text === "string" && message.text.length > BLOCK_KIT_LIMITS.messageText) {
    return { error: "msg_too_long", messages: [`[ERROR] text must be less than ${BLOCK_KIT_LIMITS.messageText + 1} characters`] };
  }
  const problems = new Problems();
  checkBlocks(message.blocks, BLOCK_KIT_LIMITS.blocksPerMessage, "/blocks", problems);
  if (problems.messages.length > 0) return { error: "invalid_blocks", messages: problems.messages };
  const total = blocksTextLength(message.blocks);
  if (total > BLOCK_KIT_LIMITS.messageBlocksText) {
    return { error: "msg_blocks_too_long", messages: [`[ERROR] the blocks hold ${total} characters of text in all, more than ${BLOCK_KIT_LIMITS.messageBlocksText}`] };
  }
  return undefined;
}


/** What Slack says of a view (views.open, push, update, or a view_submission's response_action); undefined if it takes it. */
export function viewRejection(view: Json): SlackRejection | undefined {
  const problems = new Problems();
  problems.tooLong(textOf(view.title), BLOCK_KIT_LIMITS.viewTitle, "/view/title/text");
  problems.tooLong(textOf(view.submit), BLOCK_KIT_LIMITS.viewButton, "/view/submit/text");
  problems.tooLong(textOf(view.close), BLOCK_KIT_LIMITS.viewButton, "/view/close/text");
  problems.tooLong(view.private_metadata, BLOCK_KIT_LIMITS.privateMetadata, "/view/private_metadata");
  problems.tooLong(view.callback_id, BLOCK_KIT_LIMITS.actionId, "/view/callback_id");
  checkBlocks(view.blocks, BLOCK_KIT_LIMITS.blocksPerView, "/view/blocks", problems);
  return problems.messages.length > 0 ? { error: "invalid_arguments", messages: problems.messages } : undefined;
}

/** What Slack says of the options a block_suggestion was answered with. */
export function optionsRejection(answer: Json): SlackRejection | undefined {
  const problems = new Problems();
  checkOptions(answer.options, BLOCK_KIT_LIMITS.optionsPerSelect, "/options", problems);
  problems.tooMany(answer.option_groups, BLOCK_KIT_LIMITS.optionsPerSelect, "/option_groups");
  return problems.messages.length > 0 ? { error: "invalid_arguments", messages: problems.messages } : undefined;
}

/** What Slack says of a Web API call's message or view; undefined for methods that carry neither, or when it takes it. */
export function webApiRejection(method: string, args: Json): SlackRejection | undefined {
  switch (method) {
    case "chat.postMessage":
    case "chat.postEphemeral":
    case "chat.update":
      return messageRejection(args);
    case "views.open":
    case "views.push":
    case "views.update":
      return args.view && typeof args.view === "object" ? viewRejection(args.view as Json) : undefined;
    default:
      return undefined;
  }
}

/** What Slack says of the body an app answers a request with (a command's or click's acknowledgement, a modal's response_action, a suggestion's options). */
export function answerRejection(answer: Json): SlackRejection | undefined {
  if (answer.response_action === "update" || answer.response_action === "push") return viewRejection(answer.view as Json);
  if ("options" in answer || "option_groups" in answer) return optionsRejection(answer);
  if ("blocks" in answer || "text" in answer) return messageRejection(answer);
  return undefined;
}
