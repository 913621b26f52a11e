/** SQL string literal (DuckDB): single quotes doubled. Identifiers and values we build SQL from go through here. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A comma-separated list of SQL string literals; `''` when empty, so `IN (...)` stays valid and matches nothing. */
export function sqlList(values: readonly string[]): string {
  return values.length ? values.map(sqlString).join(', ') : "''";
}
