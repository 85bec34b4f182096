// Errors of the history store: it cannot be reached, it is locked by another process, or its migrations disagree.
import { SluiceError } from "../errors.ts";
import { redactSecrets } from "../logger.ts";

export class StoreError extends SluiceError {}

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
