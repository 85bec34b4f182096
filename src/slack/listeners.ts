// Registers every listener Sluice has, grouped by what Slack sends.
import type { App } from "@slack/bolt";
import { registerChangeDecisions } from "./actions/change-decisions.ts";
import { registerDriftActions } from "./actions/drift.ts";
import { registerSchemaActions } from "./actions/schema.ts";
import { registerCommands } from "./commands/index.ts";
import type { SluiceServices } from "./services.ts";
import { registerChangeSubmission } from "./views/change-submission.ts";
import { registerQueryModal } from "./views/query-modal.ts";
import { registerSchemaViews } from "./views/schema.ts";

export function registerListeners(app: App, services: SluiceServices): void {
  registerCommands(app, services);
  registerChangeSubmission(app, services);
  registerQueryModal(app, services);
  registerChangeDecisions(app, services);
  registerDriftActions(app, services);
  registerSchemaActions(app, services);
  registerSchemaViews(app, services);
}
