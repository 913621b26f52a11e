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

/**
 * Scan a line as JSON (Python literals allowed). Iterative, with an explicit stack of open containers, so that no
 * nesting depth can overflow the call stack.
 */
export function scanJson(s: string): JsonScanResult {
  let i = 0;
  const pythonLiterals: number[] = [];
  class Fail {
    constructor(
      readonly at: number,
      readonly expected: string,
    ) {}
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
      if (c === 34) {
        i++;
        return;
      }
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
  const key = (): void => {
    ws();
    str();
    ws();
    if (s[i] !== ':') throw new Fail(i, "':' after an object key");
    i++;
  };
  const scalar = (): void => {
    if (s[i] === '"') {
      str();
      return;
    }
    for (const lit of PYTHON_LITERALS) {
      if (s.startsWith(lit, i)) {
        pythonLiterals.push(i);
        i += lit.length;
        return;
      }
    }
    for (const lit of ['true', 'false', 'null']) {
      if (s.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      return;
    }
    throw new Fail(i, 'a JSON value');
  };
  // The closing bracket each open container expects, innermost last.
  const open: ('}' | ']')[] = [];
  try {
    for (;;) {
      // Read one value; an opened container pushes its closer and the loop reads its first value.
      ws();
      const c = s[i];
      if (c === '{' || c === '[') {
        i++;
        ws();
        const close = c === '{' ? '}' : ']';
        if (s[i] !== close) {
          open.push(close);
          if (close === '}') key();
          continue;
        }
        i++;
      } else scalar();
      // After a value: close finished containers, or move to the next element.
      for (;;) {
        ws();
        const close = open[open.length - 1];
        if (close === undefined) {
          if (i < s.length) throw new Fail(i, 'end of line after the JSON object');
          return { errorAt: -1, expected: '', pythonLiterals };
        }
        if (s[i] === ',') {
          i++;
          if (close === '}') key();
          break;
        }
        if (s[i] === close) {
          i++;
          open.pop();
          continue;
        }
        throw new Fail(i, close === '}' ? "',' or '}' in an object" : "',' or ']' in an array");
      }
    }
  } catch (e) {
    if (e instanceof Fail) return { errorAt: e.at, expected: e.expected, pythonLiterals };
    throw e;
  }
}

/** Where a line of valid JSON nests too deep, and which object keys repeat (JSON.parse keeps the last silently). */
export interface JsonShape {
  /** 0-based position of the first `{`/`[` that opens a container deeper than the limit, or -1. */
  tooDeepAt: number;
  /** Each repeated key, at the 0-based position of its opening quote, in line order. */
  duplicates: { key: string; at: number }[];
}

/** 0-based position of the quote closing the string that opens at `from` (a `"`), or the line length. */
function stringEnd(s: string, from: number): number {
  let j = s.indexOf('"', from + 1);
  while (j !== -1) {
    let slashes = 0;
    while (s.charCodeAt(j - 1 - slashes) === 92) slashes++;
    if (slashes % 2 === 0) return j;
    j = s.indexOf('"', j + 1);
  }
  return s.length;
}

/**
 * Check the shape of a line that JSON.parse accepted: nesting depth (deep values overflow the stack of anything
 * recursive later, JSON.stringify included) and repeated keys at any depth. One pass; strings are skipped with
 * indexOf, so a long text costs little.
 */
export function inspectJsonShape(s: string, maxDepth: number): JsonShape {
  const duplicates: JsonShape['duplicates'] = [];
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const end = stringEnd(s, i);
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const raw = s.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (keys.has(key)) duplicates.push({ key, at: i });
        else keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      if (stack.length >= maxDepth) return { tooDeepAt: i, duplicates };
      stack.push(c === 123 ? new Set() : null);
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      stack.pop();
    } else if (c === 44) {
      expectKey = stack[stack.length - 1] !== null && stack.length > 0;
    }
  }
  return { tooDeepAt: -1, duplicates };
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
