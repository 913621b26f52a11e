/**
 * A small JSON scanner used only when JSON.parse fails: it finds where the line stops being JSON (V8's messages
 * do not always carry a position) and where Python wrote bare `NaN`/`Infinity` literals, so that a line that is
 * JSON except for those can be accepted with a warning.
 */
export interface JsonScanResult {
  /** 0-based position of the first syntax error, or -1 if the line is JSON (with Python literals allowed). */
  errorAt: number;
  /** What the scanner expected at errorAt. */
  expected: string;
  /** 0-based positions of bare NaN / Infinity / -Infinity literals. */
  pythonLiterals: number[];
}

const PYTHON_LITERALS = ['NaN', 'Infinity', '-Infinity'] as const;

export function scanJson(s: string): JsonScanResult {
  let i = 0;
  const pythonLiterals: number[] = [];
  class Fail {
    constructor(readonly at: number, readonly expected: string) {}
  }
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const str = (): void => {
    if (s[i] !== '"') throw new Fail(i, 'a double-quoted string');
    i++;
    for (;;) {
      if (i >= s.length) throw new Fail(i, 'a closing double quote');
      const c = s.charCodeAt(i);
      if (c === 34) { i++; return; }
      if (c < 0x20) throw new Fail(i, 'no raw control character inside a string (escape it)');
      if (c === 92) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) throw new Fail(i, 'a \\uXXXX escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Fail(i, 'a valid escape sequence');
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++; ws();
      if (s[i] === '}') { i++; return; }
      for (;;) {
        ws(); str(); ws();
        if (s[i] !== ':') throw new Fail(i, "':' after an object key");
        i++; value(); ws();
        if (s[i] === ',') { i++; continue; }
        if (s[i] === '}') { i++; return; }
        throw new Fail(i, "',' or '}' in an object");
      }
    }
    if (c === '[') {
      i++; ws();
      if (s[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (s[i] === ',') { i++; continue; }
        if (s[i] === ']') { i++; return; }
        throw new Fail(i, "',' or ']' in an array");
      }
    }
    if (c === '"') return str();
    for (const lit of PYTHON_LITERALS) {
      if (s.startsWith(lit, i)) { pythonLiterals.push(i); i += lit.length; return; }
    }
    for (const lit of ['true', 'false', 'null']) {
      if (s.startsWith(lit, i)) { i += lit.length; return; }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (m) { i += m[0].length; return; }
    throw new Fail(i, 'a JSON value');
  };
  try {
    value(); ws();
    if (i < s.length) throw new Fail(i, 'end of line after the JSON object');
    return { errorAt: -1, expected: '', pythonLiterals };
  } catch (e) {
    if (e instanceof Fail) return { errorAt: e.at, expected: e.expected, pythonLiterals };
    throw e;
  }
}

/** Replace the Python literals found by scanJson with `null` so that JSON.parse accepts the line. */
export function replacePythonLiterals(s: string, positions: readonly number[]): string {
  let out = '';
  let last = 0;
  for (const p of positions) {
    const lit = PYTHON_LITERALS.find((l) => s.startsWith(l, p)) ?? 'NaN';
    out += s.slice(last, p) + 'null';
    last = p + lit.length;
  }
  return out + s.slice(last);
}

/**
 * Column (0-based, in UTF-16 units of the raw line) of character `offset` of the decoded string value of top-level
 * key `key`. Used to point validation messages at the right place in the file. Returns -1 if the key is absent.
 */
export function locateInJsonString(line: string, key: string, offset: number): number {
  const quotedKey = JSON.stringify(key);
  let depth = 0;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '"') {
      const start = i;
      i++;
      while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
      i++;
      if (depth === 1 && line.slice(start, i) === quotedKey) {
        let j = i;
        while (j < line.length && (line[j] === ' ' || line[j] === ':')) j++;
        if (line[j] !== '"') return -1;
        j++;
        let decoded = 0;
        while (j < line.length && decoded < offset) {
          if (line[j] === '\\') {
            j += line[j + 1] === 'u' ? 6 : 2;
          } else j++;
          decoded++;
        }
        return j;
      }
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return -1;
}
