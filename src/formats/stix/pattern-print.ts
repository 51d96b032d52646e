/**
 * STIX patterns back to text, and a normal form for comparing two patterns by meaning.
 *
 * @module
 */
import { KEYWORDS } from "./_pattern-lexer.js";
import { canonicalHashKey, type StixComparisonExpression, type StixLiteral, type StixObjectPath, type StixPatternExpression, type StixQualifier } from "./pattern-ast.js";

const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A property name that can be written without quotes: an identifier the lexer does not take for a keyword. */
const isBareName = (name: string): boolean => BARE_NAME.test(name) && !KEYWORDS.has(name);

/** A string literal with the pattern grammar's only escapes, `\'` and `\\`. */
export function quoteStixString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function printLiteral(literal: StixLiteral): string {
  switch (literal.kind) {
    case "string":
      return quoteStixString(literal.value);
    case "timestamp":
      return `t${quoteStixString(literal.value)}`;
    case "hex":
      return `h${quoteStixString(literal.value)}`;
    case "binary":
      return `b${quoteStixString(literal.value)}`;
    default:
      return String(literal.value);
  }
}

/** `file:hashes.'SHA-256'`, `email-message:body_multipart[*].body_raw_ref.name`. */
export function printObjectPath(path: StixObjectPath): string {
  let text = `${path.objectType}:`;
  path.steps.forEach((step, index) => {
    if (step.kind === "index") text += `[${step.index}]`;
    else text += `${index === 0 ? "" : "."}${isBareName(step.name) ? step.name : quoteStixString(step.name)}`;
  });
  return text;
}

function printComparisons(expression: StixComparisonExpression): string {
  switch (expression.kind) {
    case "exists":
      return `EXISTS ${printObjectPath(expression.path)}`;
    case "comparison": {
      const value = Array.isArray(expression.value) ? `(${expression.value.map(printLiteral).join(", ")})` : printLiteral(expression.value as StixLiteral);
      return `${printObjectPath(expression.path)} ${expression.negated ? "NOT " : ""}${expression.operator} ${value}`;
    }
    case "and":
      return expression.operands.map((o) => (o.kind === "or" ? `(${printComparisons(o)})` : printComparisons(o))).join(" AND ");
    case "or":
      return expression.operands.map(printComparisons).join(" OR ");
  }
}

function printQualifier(qualifier: StixQualifier): string {
  switch (qualifier.kind) {
    case "within":
      return `WITHIN ${qualifier.seconds} SECONDS`;
    case "repeats":
      return `REPEATS ${qualifier.times} TIMES`;
    case "start-stop":
      return `START t${quoteStixString(qualifier.start)} STOP t${quoteStixString(qualifier.stop)}`;
  }
}

const PRECEDENCE = { followedby: 1, or: 2, and: 3, observation: 4, qualified: 4 } as const;

/**
 * A pattern as text, with parentheses only where precedence needs them.
 *
 * @example
 * printStixPattern(parseStixPattern("[ file:name='x' ]")); // "[file:name = 'x']"
 */
export function printStixPattern(expression: StixPatternExpression): string {
  switch (expression.kind) {
    case "observation":
      return `[${printComparisons(expression.expression)}]`;
    case "qualified": {
      const inner = printStixPattern(expression.expression);
      const wrapped = expression.expression.kind === "observation" || expression.expression.kind === "qualified" ? inner : `(${inner})`;
      return `${wrapped} ${printQualifier(expression.qualifier)}`;
    }
    default: {
      const own = PRECEDENCE[expression.kind];
      return expression.operands
        .map((o) => (PRECEDENCE[o.kind] <= own ? `(${printStixPattern(o)})` : printStixPattern(o)))
        .join(` ${expression.kind.toUpperCase()} `);
    }
  }
}

function normalisePath(path: StixObjectPath): StixObjectPath {
  const [first, second, ...rest] = path.steps;
  if (first?.kind !== "property" || first.name !== "hashes" || second?.kind !== "property") return path;
  return { ...path, steps: [first, { kind: "property", name: canonicalHashKey(second.name) ?? second.name }, ...rest] };
}

function normaliseComparisons(expression: StixComparisonExpression): StixComparisonExpression {
  if (expression.kind === "exists" || expression.kind === "comparison") return { ...expression, path: normalisePath(expression.path), offset: 0 };
  const operands = expression.operands.map(normaliseComparisons).flatMap((o) => (o.kind === expression.kind ? o.operands : [o]));
  return { kind: expression.kind, operands: sortByText(operands, printComparisons), offset: 0 };
}

function sortByText<T>(items: readonly T[], print: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, text: print(item) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map(({ item }) => item);
}

/**
 * The pattern in a normal form that two patterns of the same meaning share: canonical hash keys
 * (`md5` -> `MD5`), an OR inside `[ ]` lifted to an OR of observations (`[a OR b]` is
 * `[a] OR [b]`), nested AND/OR flattened, and the operands of AND and OR sorted.
 *
 * @example
 * const a = normaliseStixPattern(parseStixPattern("[file:hashes.md5 = 'x' OR domain-name:value = 'y']"));
 * const b = normaliseStixPattern(parseStixPattern("[domain-name:value = 'y'] OR [file:hashes.MD5 = 'x']"));
 * printStixPattern(a) === printStixPattern(b); // true
 */
export function normaliseStixPattern(expression: StixPatternExpression): StixPatternExpression {
  switch (expression.kind) {
    case "observation": {
      const inner = normaliseComparisons(expression.expression);
      if (inner.kind !== "or") return { kind: "observation", expression: inner, offset: 0 };
      return { kind: "or", operands: inner.operands.map((o) => ({ kind: "observation", expression: o, offset: 0 })), offset: 0 };
    }
    case "qualified":
      return { ...expression, expression: normaliseStixPattern(expression.expression), offset: 0 };
    case "followedby":
      return { kind: "followedby", operands: expression.operands.map(normaliseStixPattern), offset: 0 };
    default: {
      const operands = expression.operands.map(normaliseStixPattern).flatMap((o) => (o.kind === expression.kind ? o.operands : [o]));
      return { kind: expression.kind, operands: sortByText(operands, printStixPattern), offset: 0 };
    }
  }
}
