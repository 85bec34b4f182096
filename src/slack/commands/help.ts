// `/db help`: lists every subcommand with examples.
import type { Subcommand } from "./subcommand.ts";

export const help: Subcommand = {
  name: "help",
  usage: "/db help",
  summary: "Lists the commands with examples.",
  examples: [],
  async handle() {
    // Answered in the acknowledgement itself; see commands/index.ts.
  },
};
