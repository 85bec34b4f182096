// Registers every listener Sluice has, grouped by what Slack sends.
import type { App } from "@slack/bolt";
import { registerCommands } from "./commands/index.ts";
import type { SluiceServices } from "./services.ts";

export function registerListeners(app: App, services: SluiceServices): void {
  registerCommands(app, services);
}
