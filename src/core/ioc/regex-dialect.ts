/**
 * What an OpenIOC `matches` pattern (XPath 2.0 / XSD regex syntax) means that a JavaScript-style
 * engine would silently read otherwise. Semantics 7.5: translate XSD-only syntax or reject it.
 *
 * `\i`, `\c` and `\p{IsBlock}` need no help: the engine refuses them as unknown escapes. Character
 * class subtraction does: `[a-z-[aeiou]]` is valid JavaScript and RE2 syntax, the class
 * `[a-z\-\[aeiou]` followed by a literal `]`, so it would run and quietly match something else.
 *
 * @module
 */

/**
 * Why `pattern` uses XSD-only syntax an engine would misread, or undefined when it does not.
 *
 * @example
 * ```ts
 * xsdOnlySyntax("^[a-z-[aeiou]]+x"); // "XSD character-class subtraction [a-z-[aeiou]] is not supported"
 * xsdOnlySyntax("[A-F0-9]{8}-[A-F0-9]{4}"); // undefined ("-[" outside a class)
 * ```
 */
export function xsdOnlySyntax(pattern: string): string | undefined {
  if (!pattern.includes("-[")) return undefined;
  let inClass = false;
  let classStart = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++; // the escaped character is literal, in a class or not
      continue;
    }
    if (!inClass) {
      if (c === "[") {
        inClass = true;
        classStart = i;
        // A "]" right after "[" or "[^" is a literal in JavaScript; skip it so it does not close.
        if (pattern[i + 1] === "^") i++;
        if (pattern[i + 1] === "]") i++;
      }
    } else if (c === "]") {
      inClass = false;
    } else if (c === "-" && pattern[i + 1] === "[") {
      // XSD reserves "-[" inside a class for subtraction; a literal "[" there is written "\[".
      return `XSD character-class subtraction ${pattern.slice(classStart, subtractionEnd(pattern, i + 2))} is not supported`;
    }
  }
  return undefined;
}

/** Where a class holding a subtraction ends: after the subtracted class's "]" and the outer "]". */
function subtractionEnd(pattern: string, from: number): number {
  for (let i = from; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "]") return pattern[i + 1] === "]" ? i + 2 : i + 1;
  }
  return pattern.length;
}
