// What the Slack handlers may call: the domain's services, built once at start-up and passed down.
import type { WebClient } from "@slack/web-api";
import type { Announcements } from "../changes/notifier.ts";
import type { ApproverDirectory } from "../changes/policy.ts";
import type { ChangeWorkflow } from "../changes/workflow.ts";
import type { Config } from "../config/load.ts";
import type { DriftMonitor } from "../drift/index.ts";
import type { Logger } from "../logger.ts";
import type { Registry } from "../projects/registry.ts";
import type { ChangeRepository } from "../store/changes.ts";
import type { Store } from "../store/index.ts";
import type { FileDownloads } from "./files.ts";
import type { SqlDrafts } from "./sql-drafts.ts";

export interface SluiceServices {
  config: Config;
  logger: Logger;
  store: Store;
  registry: Registry;
  changes: ChangeRepository;
  workflow: ChangeWorkflow;
  drift: DriftMonitor;
  approvers: ApproverDirectory;
  /** Slack's Web API, for messages outside a request (background work, notifications). */
  slack: WebClient;
  /** The bot token and Slack's file hosts, for downloading files users attach (Slack serves them only with it). */
  fileDownloads: FileDownloads;
  /** Delivers what the outbox owes Slack (a change's or a drift's messages) now; the reconciler retries what fails. */
  announcements: Announcements;
  /** SQL from the command line too long for a form's text field, kept for the form that shows it. */
  sqlDrafts: SqlDrafts;
}
