// Errors raised by the engine layer; messages name the server and the user, never the password.
import { SluiceError } from "../errors.ts";
import type { ConnectionTarget, EngineName } from "./engine.ts";

/**
 * What went wrong: reaching the server, a statement the server refused, a timeout, input the engine rejects, or a
 * read-only query the engine's rules refused before running it (a function that may write).
 */
export type EngineErrorKind = "connect" | "statement" | "timeout" | "invalid" | "refused";

export interface EngineErrorOptions extends ErrorOptions {
  kind: EngineErrorKind;
  /** The server's error code (MySQL error name such as ER_PARSE_ERROR, PostgreSQL SQLSTATE). */
  code?: string;
}

export class EngineError extends SluiceError {
  readonly kind: EngineErrorKind;
  readonly code?: string;

  constructor(message: string, options: EngineErrorOptions) {
    super(message, options);
    this.kind = options.kind;
    if (options.code !== undefined) this.code = options.code;
  }
}

/** Wraps a failed connection attempt; the driver's reason is kept, with the password masked should it appear. */
export function connectionFailed(engine: EngineName, target: ConnectionTarget, cause: unknown): EngineError {
  const reason = redact(describeCause(cause), target.password);
  return new EngineError(`cannot connect to ${engine} at ${target.host}:${target.port} as ${target.user}: ${reason}`, {
    kind: "connect",
    code: errorCode(cause),
    cause,
  });
}

/** Wraps a statement the server refused, keeping the server's own message. */
export function statementFailed(cause: unknown, timedOut: boolean): EngineError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new EngineError(message, { kind: timedOut ? "timeout" : "statement", code: errorCode(cause), cause });
}

/** The driver's error code: mysql2's name (or the server's errno when it has no name), pg's SQLSTATE. */
export function errorCode(cause: unknown): string | undefined {
  const { code, errno } = (cause ?? {}) as { code?: unknown; errno?: unknown };
  if (typeof code === "string") return code;
  return typeof errno === "number" && errno > 0 ? String(errno) : undefined;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = errorCode(cause);
  const message = cause.message.trim();
  if (code && message && !message.includes(code)) return `${code} ${message}`;
  return message || code || cause.name;
}

function redact(text: string, password: string): string {
  return password.length >= 3 ? text.split(password).join("***") : text;
}
