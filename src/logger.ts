// Structured logging. Secrets are redacted by path so a stray object never prints a token or a password.
import { pino, type Logger } from "pino";

export type { Logger };

const redactPaths = [
  "password",
  "*.password",
  "*.*.password",
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "appToken",
  "signingSecret",
  "*.signingSecret",
  "headers.authorization",
  "*.headers.authorization",
  "databaseUrl",
  "*.databaseUrl",
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: "[redacted]" } });
}

/** Removes credentials from connection URLs and Slack tokens from free text before it is logged or shown. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1[redacted]@")
    .replace(/\bxox[abposr]-[A-Za-z0-9-]+/g, "xox?-[redacted]")
    .replace(/\bxapp-[A-Za-z0-9-]+/g, "xapp-[redacted]");
}
