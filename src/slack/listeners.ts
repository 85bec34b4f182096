// Registers every listener Sluice has, grouped by what Slack sends.
import type { App } from "@slack/bolt";
import { registerChangeDecisions } from "./actions/change-decisions.ts";
import { registerDriftActions } from "./actions/drift.ts";
import { registerSchemaActions } from "./actions/schema.ts";
import { registerCommands } from "./commands/index.ts";
import { routeListeners } from "./router.ts";
import type { SluiceServices } from "./services.ts";
import { registerChangeSubmission } from "./views/change-submission.ts";
import { registerQueryModal } from "./views/query-modal.ts";
import { registerSchemaViews } from "./views/schema.ts";
import { registerSuggestions } from "./suggestions/index.ts";
import { registerReviewSubmission } from "./views/review-submission.ts";

export function registerListeners(app: App, services: SluiceServices): void {
  const listeners = routeListeners(app);
  registerCommands(listeners, services);
  registerChangeSubmission(listeners, services);
  registerQueryModal(listeners, services);
  registerChangeDecisions(listeners, services);
  registerDriftActions(listeners, services);
  registerSchemaActions(listeners, services);
  registerSchemaViews(listeners, services);
  registerSuggestions(listeners, services);
  registerReviewSubmission(listeners, services);
}
