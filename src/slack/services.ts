// What the Slack handlers may call: the domain's services, built once in main and passed down.
import type { Logger } from "../logger.ts";
import type { Config } from "../config/load.ts";
import type { Registry } from "../projects/registry.ts";
import type { Store } from "../store/index.ts";

export interface SluiceServices {
  config: Config;
  logger: Logger;
  store: Store;
  registry: Registry;
}
