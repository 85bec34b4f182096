// A select over a list that may be longer than Slack's 100 options: a static select while the list fits, else an
// external_select whose options Sluice answers as the user types (see ../suggestions/). Either way the submission
// carries the chosen option's value in `selected_option`.
import type { ExternalSelect, PlainTextOption, StaticSelect } from "@slack/types";
import type { RegisteredDatabase } from "../../projects/registry.ts";
import { SLACK_LIMITS, truncate } from "./text.ts";

/** One entry of the list: what the user sees and the value the submission carries. */
export interface Choice {
  text: string;
  value: string;
}

export function choiceOption(choice: Choice): PlainTextOption {
  return { text: { type: "plain_text", text: truncate(choice.text, SLACK_LIMITS.optionText) }, value: choice.value };
}

export interface ChoiceSelectInput {
  actionId: string;
  choices: readonly Choice[];
  /** The value chosen up front, if it is one of the choices. */
  initial?: string;
  placeholder: string;
  /** What the list holds, for the type-ahead's placeholder ("databases"). */
  noun: string;
}

export function choiceSelect(input: ChoiceSelectInput): StaticSelect | ExternalSelect {
  const initial = input.choices.find((choice) => choice.value === input.initial);
  const initialOption = initial ? { initial_option: choiceOption(initial) } : {};
  if (input.choices.length <= SLACK_LIMITS.optionsPerSelect) {
    return { type: "static_select", action_id: input.actionId, placeholder: { type: "plain_text", text: input.placeholder }, options: input.choices.map(choiceOption), ...initialOption };
  }
  return {
    type: "external_select",
    action_id: input.actionId,
    min_query_length: 0,
    placeholder: { type: "plain_text", text: truncate(`Type to search ${input.choices.length.toLocaleString("en-US")} ${input.noun}`, 150) },
    ...initialOption,
  };
}

/**
 * The options for what the user typed: choices whose text holds every typed word (any case), those that start with
 * it first, at most Slack's 100. A longer list shows the user to type more.
 */
export function matchingOptions(choices: readonly Choice[], typed: string): PlainTextOption[] {
  const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = choices.filter((choice) => words.every((word) => choice.text.toLowerCase().includes(word)));
  const first = words[0] ?? "";
  const ranked = [...matching.filter((c) => c.text.toLowerCase().startsWith(first)), ...matching.filter((c) => !c.text.toLowerCase().startsWith(first))];
  return ranked.slice(0, SLACK_LIMITS.optionsPerSelect).map(choiceOption);
}

/** The configured databases as choices: the label people type, with its environment. */
export function databaseChoices(databases: readonly RegisteredDatabase[]): Choice[] {
  return databases.map((d) => ({ text: `${d.label} (${d.environment.name})`, value: d.label }));
}
