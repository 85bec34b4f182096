// Routes Slack's requests to Sluice's handlers by action_id and callback_id, from one Bolt listener per kind.
// Bolt runs the matchers of every listener on every request, each chain with its own copy of the arguments: with
// a listener per button and per modal, that was some thirty chains per request, on the event loop that must also
// acknowledge the requests behind it. A map lookup does the same choice once.
import type {
  App,
  Middleware,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from "@slack/bolt";

/** Where handlers register: the part of Bolt's App that Sluice uses, by command name, action_id or callback_id. */
export interface SlackListeners {
  command(name: string, listener: Middleware<SlackCommandMiddlewareArgs>): void;
  action<Action extends SlackAction = SlackAction>(actionId: string | RegExp, listener: Middleware<SlackActionMiddlewareArgs<Action>>): void;
  view<View extends ViewSubmitAction = ViewSubmitAction>(callbackId: string, listener: Middleware<SlackViewMiddlewareArgs<View>>): void;
  /** The options of an external_select as the user types, by the block_id of the select (one per kind of list). */
  suggestions(blockId: string, listener: Middleware<SlackOptionsMiddlewareArgs<"block_suggestion">>): void;
}

/** Any handler: each is called with the arguments Bolt built for the request it registered for. */
type Handler = (args: never) => Promise<void>;

class Routes {
  private readonly exact = new Map<string, Handler>();
  private readonly patterns: Array<{ pattern: RegExp; handler: Handler }> = [];

  add(id: string | RegExp, handler: Handler): void {
    if (typeof id !== "string") {
      this.patterns.push({ pattern: id, handler });
      return;
    }
    if (this.exact.has(id)) throw new Error(`two Slack handlers for ${id}`);
    this.exact.set(id, handler);
  }

  find(id: string | undefined): Handler | undefined {
    if (id === undefined) return undefined;
    return this.exact.get(id) ?? this.patterns.find((route) => route.pattern.test(id))?.handler;
  }
}

export function routeListeners(app: App): SlackListeners {
  const actions = new Routes();
  const views = new Routes();
  const suggestions = new Routes();
  // A request no handler claims is left unacknowledged, as Bolt leaves it when no listener matches.
  app.action({ type: "block_actions" }, async (args) => actions.find((args.payload as { action_id?: string }).action_id)?.(args as never));
  app.view({ type: "view_submission" }, async (args) => views.find(args.view.callback_id)?.(args as never));
  app.options({ type: "block_suggestion" }, async (args) => suggestions.find((args.payload as { block_id?: string }).block_id)?.(args as never));
  return {
    command: (name, listener) => app.command(name, listener),
    action: (actionId, listener) => actions.add(actionId, listener as Handler),
    view: (callbackId, listener) => views.add(callbackId, listener as Handler),
    suggestions: (blockId, listener) => suggestions.add(blockId, listener as Handler),
  };
}
