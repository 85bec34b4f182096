// Errors of the history store: it cannot be reached, it is locked by another process, or its migrations disagree.
import { SluiceError } from "../errors.ts";
import { redactSecrets } from "../logger.ts";

export class StoreError extends SluiceError {}

/** A change that is not in the history (a button from another Sluice's workspace, or a store that was reset). */
export class ChangeNotFoundError extends StoreError {
  constructor(reference: number | string) {
    super(`There is no change ${reference} in Sluice's history, so this does nothing.`);
  }
}

/**
 * A change was stored (its transaction committed) but could not be read back: whoever submitted it must hear that it
 * is stored, not that it failed. What Slack is to be told of it waits in the outbox.
 */
export class ChangeStoredError extends StoreError {
  constructor(
    readonly changeId: number,
    readonly key: string | undefined,
    cause: unknown,
  ) {
    super(`Change ${key ?? `#${changeId}`} is stored, but the history store did not answer when Sluice read it back.`, { cause });
  }
}

/** A migration cannot be applied, or the recorded history disagrees with prisma/migrations. */
export class MigrationError extends StoreError {}

/** A store URL fit for messages and logs: the password never leaves this function. */
export function describeStoreUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    url.search = "";
    return url.toString();
  } catch {
    return redactSecrets(databaseUrl);
  }
}

/** Wraps a failure to reach the store in a StoreError whose message carries no credentials. */
export function storeUnreachable(databaseUrl: string, cause: unknown): StoreError {
  const reason = cause instanceof Error ? cause.message || cause.name : String(cause);
  const message = `cannot reach the history store at ${describeStoreUrl(databaseUrl)}: ${withoutPassword(reason, databaseUrl)}`;
  return new StoreError(message, { cause });
}

function withoutPassword(text: string, databaseUrl: string): string {
  let password = "";
  try {
    password = new URL(databaseUrl).password;
  } catch {
    // not a URL: redactSecrets below still catches user:password@ forms
  }
  let clean = redactSecrets(text);
  for (const secret of new Set([password, safeDecode(password)])) {
    if (secret.length > 0) clean = clean.split(secret).join("***");
  }
  return clean;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** SQLSTATEs and driver codes that mean the store cannot be reached or dropped the connection (not a bad query). */
const UNREACHABLE_CODES = /^(08|57P0[123]$|P1001$|P1002$|P1017$|ECONNREFUSED$|ECONNRESET$|ETIMEDOUT$|EPIPE$|ENOTFOUND$)/;
const UNREACHABLE_MESSAGES = /not currently accepting connections|Connection terminated|terminating connection|Can't reach database server|Server has closed the connection|connect ECONNREFUSED/i;

/** Whether a store query failed because the history store is down or unreachable, as opposed to a bug. */
export function isStoreUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 6; depth += 1) {
    const { code, message, meta, cause } = current as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } }; cause?: unknown };
    const adapterCause = meta?.driverAdapterError?.cause;
    const codes = [code, adapterCause?.originalCode, adapterCause?.code].filter((c): c is string => typeof c === "string");
    if (codes.some((c) => UNREACHABLE_CODES.test(c))) return true;
    if (typeof message === "string" && UNREACHABLE_MESSAGES.test(message)) return true;
    current = cause ?? (meta?.driverAdapterError as unknown);
  }
  return false;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "P2002" || code === "23505" || /Unique constraint failed|duplicate key/i.test(String((error as Error).message));
}
