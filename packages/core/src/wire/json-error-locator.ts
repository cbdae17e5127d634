/** Where a JSON text first goes wrong, as an offset into the text and a hint. */
export interface JsonErrorLocation {
  /** 0-based offset of the first offending character (the text length at end of input). */
  readonly offset: number;
  /** Names the problem; never quotes the text. */
  readonly hint: string;
}

const END = "unexpected end of input";
const SINGLE_QUOTE = "strings must be in double quotes";

type Expect = "value" | "valueOrEnd" | "valueAfterComma" | "key" | "keyOrEnd" | "afterValue";

function isWhitespace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/**
 * Scans a text against the JSON grammar of RFC 8259 (what `JSON.parse`
 * accepts) and reports the first offending character, or `undefined` when the
 * text is valid JSON. It exists because `JSON.parse`'s own message quotes the
 * body, which may hold a password. Iterative, so deep nesting cannot overflow
 * the stack.
 */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const n = text.length;
  const stack: ("{" | "[")[] = [];
  let i = 0;
  let expect: Expect = "value";

  const fail = (offset: number, hint: string): JsonErrorLocation => ({ offset, hint });

  // Each scanner returns the offset after the token, or the failure.
  const scanString = (start: number): number | JsonErrorLocation => {
    let j = start + 1;
    for (;;) {
      if (j >= n) return fail(j, END);
      const c = text[j] as string;
      if (c === '"') return j + 1;
      if (c.charCodeAt(0) < 0x20) return fail(j, "control characters in strings must be escaped");
      if (c === "\\") {
        const e = text[j + 1];
        if (e === undefined) return fail(j + 1, END);
        if (e === "u") {
          for (let k = j + 2; k < j + 6; k++) {
            if (k >= n) return fail(k, END);
            if (!isHexDigit(text[k])) return fail(k, "a \\u escape needs four hex digits");
          }
          j += 6;
          continue;
        }
        if ('"\\/bfnrt'.includes(e)) {
          j += 2;
          continue;
        }
        return fail(j + 1, "invalid escape sequence in a string");
      }
      j++;
    }
  };

  const scanDigits = (start: number): number | JsonErrorLocation => {
    if (start >= n) return fail(start, END);
    if (!isDigit(text[start])) return fail(start, "invalid number");
    let j = start;
    while (isDigit(text[j])) j++;
    return j;
  };

  const scanNumber = (start: number): number | JsonErrorLocation => {
    let j = start;
    if (text[j] === "-") j++;
    if (j >= n) return fail(j, END);
    if (text[j] === "0") j++;
    else {
      const r = scanDigits(j);
      if (typeof r !== "number") return r;
      j = r;
    }
    if (text[j] === ".") {
      const r = scanDigits(j + 1);
      if (typeof r !== "number") return r;
      j = r;
    }
    if (text[j] === "e" || text[j] === "E") {
      j++;
      if (text[j] === "+" || text[j] === "-") j++;
      const r = scanDigits(j);
      if (typeof r !== "number") return r;
      j = r;
    }
    return j;
  };

  const scanLiteral = (start: number, word: string): number | JsonErrorLocation => {
    for (let k = 0; k < word.length; k++) {
      const at = start + k;
      if (at >= n) return fail(at, END);
      if (text[at] !== word[k]) return fail(at, "unexpected character");
    }
    return start + word.length;
  };

  const scanScalar = (start: number): number | JsonErrorLocation => {
    const c = text[start];
    if (c === '"') return scanString(start);
    if (c === "'") return fail(start, SINGLE_QUOTE);
    if (c === "-" || isDigit(c)) return scanNumber(start);
    if (c === "t") return scanLiteral(start, "true");
    if (c === "f") return scanLiteral(start, "false");
    if (c === "n") return scanLiteral(start, "null");
    if (c === "\uFEFF") return fail(start, "a byte order mark is not allowed");
    return fail(start, "unexpected character");
  };

  for (;;) {
    while (isWhitespace(text[i])) i++;
    const c = text[i];
    const top = stack[stack.length - 1];

    if (expect === "afterValue") {
      if (top === undefined) {
        return i < n ? fail(i, "unexpected content after the JSON value") : undefined;
      }
      if (c === undefined) return fail(i, END);
      if (c === ",") {
        i++;
        expect = top === "{" ? "key" : "valueAfterComma";
        continue;
      }
      if ((top === "{" && c === "}") || (top === "[" && c === "]")) {
        stack.pop();
        i++;
        continue;
      }
      return fail(i, top === "{" ? "expected ',' or '}'" : "expected ',' or ']'");
    }

    if (c === undefined) return fail(i, END);

    if (expect === "key" || expect === "keyOrEnd") {
      if (c === "}" && expect === "keyOrEnd") {
        stack.pop();
        i++;
        expect = "afterValue";
        continue;
      }
      if (c === "}") return fail(i, "a trailing comma is not allowed");
      if (c === "'") return fail(i, SINGLE_QUOTE);
      if (c !== '"') return fail(i, "property names must be in double quotes");
      const r = scanString(i);
      if (typeof r !== "number") return r;
      i = r;
      while (isWhitespace(text[i])) i++;
      if (i >= n) return fail(i, END);
      if (text[i] !== ":") return fail(i, "expected ':' after a property name");
      i++;
      expect = "value";
      continue;
    }

    // expect is one of the value states.
    if (c === "]" && expect === "valueOrEnd") {
      stack.pop();
      i++;
      expect = "afterValue";
      continue;
    }
    if (c === "]" && expect === "valueAfterComma") {
      return fail(i, "a trailing comma is not allowed");
    }
    if (c === "{" || c === "[") {
      stack.push(c);
      i++;
      expect = c === "{" ? "keyOrEnd" : "valueOrEnd";
      continue;
    }
    const r = scanScalar(i);
    if (typeof r !== "number") return r;
    i = r;
    expect = "afterValue";
  }
}

/**
 * 1-based line and column of an offset. `\n`, `\r\n` and a lone `\r` each end
 * a line; columns count UTF-16 code units, as JavaScript strings do.
 */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
