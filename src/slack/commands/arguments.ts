// Splits `<database> <SQL…>` the way every `/db` subcommand that takes both reads it.
export function databaseAndSql(args: string): { database?: string; sql?: string } {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(args.trim());
  if (!match) return {};
  return { database: match[1], sql: match[2]!.trim() || undefined };
}
