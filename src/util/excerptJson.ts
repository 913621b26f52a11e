/**
 * A value from a server or client, as a short excerpt of its JSON for a message: at most `maxChars` characters, and
 * never an exception (a reply nested 100,000 levels deep overflows JSON.stringify's stack).
 */
export function excerptJson(value: unknown, maxChars = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[…nested too deep…]' : '{…nested too deep…}';
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
