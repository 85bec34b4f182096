// A `/db <name> …` subcommand: its help entry and its handler.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { SluiceError } from "../../errors.ts";
import type { SluiceServices } from "../services.ts";

export interface SubcommandInput {
  /** Everything after the subcommand name, trimmed. */
  args: string;
  command: SlackCommandMiddlewareArgs["command"];
  client: AllMiddlewareArgs["client"];
  respond: SlackCommandMiddlewareArgs["respond"];
  services: SluiceServices;
}

export interface Subcommand {
  name: string;
  usage: string;
  summary: string;
  /** `{database}` stands for a configured database (see helpBlocks), so every example runs as written. */
  examples: string[];
  /** Runs after the request was acknowledged. */
  handle(input: SubcommandInput): Promise<void>;
}

/** A command typed the wrong way; the message shows the right way. */
export class UsageError extends SluiceError {}
