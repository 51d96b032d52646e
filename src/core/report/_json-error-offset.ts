/**
 * Where JSON text first breaks the grammar, for error messages: V8 names the position of some
 * syntax errors only ("Unexpected token ',', ..."x":,1"... is not valid JSON" says nowhere where),
 * and none for text that ends too early.
 *
 * @module
 */

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The offset (UTF-16 code units) of the first character that cannot continue valid JSON. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  const skip = (): void => {
    while (i < n && WHITESPACE.has(text.charCodeAt(i))) i++;
  };
  // A stack of open containers: "{" or "[", with what may come next.
  const stack: ("{" | "[")[] = [];
  let expect: "value" | "key" | "colon" | "after" | "firstKey" | "firstValue" = "value";
  for (;;) {
    skip();
    if (i >= n) return n;
    const c = text[i];
    if (expect === "value" || expect === "firstValue") {
      if (c === "]" && expect === "firstValue") {
        i++;
        stack.pop();
        expect = "after";
        continue;
      }
      if (c === "{") {
        stack.push("{");
        i++;
        expect = "firstKey";
        continue;
      }
      if (c === "[") {
        stack.push("[");
        i++;
        expect = "firstValue";
        continue;
      }
      const end = scalarEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      expect = "after";
      continue;
    }
    if (expect === "key" || expect === "firstKey") {
      if (c === "}" && expect === "firstKey") {
        i++;
        stack.pop();
        expect = "after";
        continue;
      }
      if (c !== '"') return i;
      const end = scalarEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      expect = "colon";
      continue;
    }
    if (expect === "colon") {
      if (c !== ":") return i;
      i++;
      expect = "value";
      continue;
    }
    // after a value
    const top = stack[stack.length - 1];
    if (top === undefined) return i;
    if (c === ",") {
      i++;
      expect = top === "{" ? "key" : "value";
    } else if ((c === "}" && top === "{") || (c === "]" && top === "[")) {
      i++;
      stack.pop();
      if (stack.length === 0) {
        skip();
        if (i < n) return i;
        return n;
      }
    } else return i;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- control characters are what a JSON string may not hold
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** The end of the string, number or literal at `i`, or `-(offset + 1)` of the first bad character. */
function scalarEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    STRING.lastIndex = i;
    if (STRING.test(text)) return STRING.lastIndex;
    // Find the character that broke it.
    let j = i + 1;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (d === 0x22) return j + 1;
      if (d < 0x20) return -(j + 1);
      if (d === 0x5c) {
        const e = text[j + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return -(j + 1);
          j += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) j += 2;
        else return -(j + 1);
      } else j++;
    }
    return -(text.length + 1);
  }
  for (const literal of ["true", "false", "null"]) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  NUMBER.lastIndex = i;
  if (NUMBER.test(text) && NUMBER.lastIndex > i) return NUMBER.lastIndex;
  return -(i + 1);
}
