const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Make text from the data (study, file and entry names, values in messages) safe to print on a terminal: C0 and C1
 * control characters (ESC starts escape sequences that can rewrite the screen or the window title), DEL, line and
 * paragraph separators and bidirectional overrides are written as visible escapes (`\x1b`, `\u202e`). Every CLI
 * print path of names from data goes through this. `keepNewlines` leaves `\n` alone for multi-line text.
 */
export function escapeTerminal(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n' && options.keepNewlines) return c;
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
