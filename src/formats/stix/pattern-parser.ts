/**
 * A recursive-descent parser for STIX 2.1 patterns. No maintained STIX pattern parser for
 * JavaScript exists on npm (the OASIS one is Python/ANTLR), and the grammar is small: this file
 * follows `STIXPattern.g4` rule by rule, with the precedence FOLLOWEDBY < OR < AND at the
 * observation level and OR < AND inside `[ ]`.
 *
 * @module
 */
import { tokenize, type Token } from "./_pattern-lexer.js";
import { StixPatternError } from "./pattern-error.js";
import type { StixComparison, StixComparisonExpression, StixLiteral, StixObjectPath, StixOperator, StixPathStep, StixPatternExpression, StixQualifier } from "./pattern-ast.js";

export { StixPatternError } from "./pattern-error.js";

/** Patterns longer than this are refused: indicator input is untrusted. */
export const MAX_PATTERN_LENGTH = 1_000_000;
/** Deepest nesting of brackets and parentheses accepted. */
export const MAX_PATTERN_DEPTH = 64;

const ORDER_OPERATORS = new Set([">", "<", ">=", "<="]);

/**
 * Parses a STIX 2.1 pattern into its syntax tree.
 *
 * @throws {StixPatternError} with the offset of the first token that breaks the grammar.
 * @example
 * const tree = parseStixPattern("[file:hashes.'SHA-256' = 'ef53…' AND file:name = 'x.exe']");
 * tree.kind; // "observation"
 */
export function parseStixPattern(pattern: string): StixPatternExpression {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new StixPatternError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`, 0);
  const parser = new Parser(tokenize(pattern));
  const expression = parser.observationExpressions();
  parser.expectEnd();
  return expression;
}

class Parser {
  private at = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  // observationExpressions: observationExpressionOr (FOLLOWEDBY observationExpressionOr)*
  observationExpressions(): StixPatternExpression {
    return this.joined("followedby", "FOLLOWEDBY", () => this.observationOr());
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== "end") this.fail(`expected AND, OR or FOLLOWEDBY between observations, found ${describe(token)}`, token);
  }

  private observationOr(): StixPatternExpression {
    return this.joined("or", "OR", () => this.observationAnd());
  }

  private observationAnd(): StixPatternExpression {
    return this.joined("and", "AND", () => this.qualifiedObservation());
  }

  private joined<K extends "and" | "or" | "followedby">(kind: K, keyword: string, operand: () => StixPatternExpression): StixPatternExpression {
    const first = operand();
    const operands = [first];
    while (this.isKeyword(keyword)) {
      this.next();
      operands.push(operand());
    }
    return operands.length === 1 ? first : { kind, operands, offset: first.offset };
  }

  // observationExpression: ( '[' comparisonExpression ']' | '(' observationExpressions ')' ) qualifier*
  private qualifiedObservation(): StixPatternExpression {
    const open = this.peek();
    let expression: StixPatternExpression;
    if (this.isPunct("[")) {
      this.enter(open);
      this.next();
      const inside = this.comparisonOr();
      this.expectPunct("]", "to close the observation");
      this.depth -= 1;
      expression = { kind: "observation", expression: inside, offset: open.offset };
    } else if (this.isPunct("(")) {
      this.enter(open);
      this.next();
      expression = this.observationExpressions();
      this.expectPunct(")", "to close the group of observations");
      this.depth -= 1;
    } else {
      return this.fail(`expected "[" or "(" to start an observation, found ${describe(open)}`, open);
    }
    for (let qualifier = this.qualifier(); qualifier !== undefined; qualifier = this.qualifier()) {
      expression = { kind: "qualified", expression, qualifier, offset: expression.offset };
    }
    return expression;
  }

  private qualifier(): StixQualifier | undefined {
    const token = this.peek();
    if (this.isKeyword("WITHIN")) {
      this.next();
      const seconds = this.positiveNumber("WITHIN");
      this.expectKeyword("SECONDS");
      return { kind: "within", seconds, offset: token.offset };
    }
    if (this.isKeyword("REPEATS")) {
      this.next();
      const times = this.positiveNumber("REPEATS", true);
      this.expectKeyword("TIMES");
      return { kind: "repeats", times, offset: token.offset };
    }
    if (this.isKeyword("START")) {
      this.next();
      const start = this.timestamp("START");
      this.expectKeyword("STOP");
      const stop = this.timestamp("STOP");
      return { kind: "start-stop", start, stop, offset: token.offset };
    }
    return undefined;
  }

  private comparisonOr(): StixComparisonExpression {
    return this.joinedComparisons("or", "OR", () => this.comparisonAnd());
  }

  private comparisonAnd(): StixComparisonExpression {
    return this.joinedComparisons("and", "AND", () => this.propTest());
  }

  private joinedComparisons(kind: "and" | "or", keyword: string, operand: () => StixComparisonExpression): StixComparisonExpression {
    const first = operand();
    const operands = [first];
    while (this.isKeyword(keyword)) {
      this.next();
      operands.push(operand());
    }
    return operands.length === 1 ? first : { kind, operands, offset: first.offset };
  }

  // propTest: '(' comparisonExpression ')' | EXISTS objectPath | objectPath NOT? op literal
  private propTest(): StixComparisonExpression {
    const start = this.peek();
    if (this.isPunct("(")) {
      this.enter(start);
      this.next();
      const inside = this.comparisonOr();
      this.expectPunct(")", "to close the group of comparisons");
      this.depth -= 1;
      return inside;
    }
    if (this.isKeyword("EXISTS")) {
      this.next();
      return { kind: "exists", path: this.objectPath(), offset: start.offset };
    }
    const path = this.objectPath();
    const negated = this.isKeyword("NOT");
    if (negated) this.next();
    const opToken = this.next();
    const operator = operatorOf(opToken);
    if (operator === undefined) return this.fail(`expected a comparison operator (=, !=, <, >, <=, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET), found ${describe(opToken)}`, opToken);
    const value = operator === "IN" ? this.setLiteral() : this.literal(operator);
    const comparison: StixComparison = { kind: "comparison", path, negated, operator, value, offset: start.offset };
    return comparison;
  }

  // objectPath: objectType ':' (identifier | string) ( '.' (identifier | string) | '[' int | '*' ']' )*
  private objectPath(): StixObjectPath {
    const typeToken = this.next();
    if (typeToken.kind !== "identifier") return this.fail(`expected an object type such as "file" or "ipv4-addr", found ${describe(typeToken)}`, typeToken);
    this.expectPunct(":", `after the object type "${typeToken.text}"`);
    const steps: StixPathStep[] = [this.propertyName(true)];
    for (;;) {
      if (this.isPunct(".")) {
        this.next();
        steps.push(this.propertyName(false));
      } else if (this.isPunct("[")) {
        this.next();
        const index = this.next();
        if (index.kind === "int") steps.push({ kind: "index", index: Number(index.text) });
        else if (index.kind === "punct" && index.text === "*") steps.push({ kind: "index", index: "*" });
        else return this.fail(`expected a list index or "*", found ${describe(index)}`, index);
        this.expectPunct("]", "to close the list index");
      } else {
        return { objectType: typeToken.text, steps };
      }
    }
  }

  private propertyName(first: boolean): StixPathStep {
    const token = this.next();
    const bare = token.kind === "identifier" && !token.text.includes("-");
    if (bare || token.kind === "string") return { kind: "property", name: token.text };
    const hint = token.kind === "identifier" ? ` (a name with "-" must be quoted: '${token.text}')` : "";
    return this.fail(`expected a property name ${first ? "after the object type" : 'after "."'}, found ${describe(token)}${hint}`, token);
  }

  private literal(operator: StixOperator): StixLiteral {
    const token = this.next();
    const literal = literalOf(token);
    if (literal === undefined) return this.fail(`expected a literal after ${operator}, found ${describe(token)}`, token);
    const needsString = operator === "LIKE" || operator === "MATCHES" || operator === "ISSUBSET" || operator === "ISSUPERSET";
    if (needsString && literal.kind !== "string") return this.fail(`${operator} takes a string literal, found ${describe(token)}`, token);
    if (ORDER_OPERATORS.has(operator) && (literal.kind === "bool" || literal.kind === "binary")) return this.fail(`${operator} takes an orderable literal, found ${describe(token)}`, token);
    return literal;
  }

  private setLiteral(): StixLiteral[] {
    this.expectPunct("(", "to start the IN list");
    const values: StixLiteral[] = [];
    if (this.isPunct(")")) {
      this.next();
      return values;
    }
    for (;;) {
      values.push(this.literal("IN"));
      if (this.isPunct(")")) {
        this.next();
        return values;
      }
      this.expectPunct(",", "between the values of the IN list");
    }
  }

  private positiveNumber(keyword: string, integer = false): number {
    const token = this.next();
    const ok = token.kind === "int" || (!integer && token.kind === "float");
    const value = Number(token.text);
    if (!ok || !(value > 0)) return this.fail(`${keyword} takes a positive ${integer ? "integer" : "number"}, found ${describe(token)}`, token);
    return value;
  }

  private timestamp(keyword: string): string {
    const token = this.next();
    if (token.kind !== "timestamp") return this.fail(`${keyword} takes a timestamp literal t'…', found ${describe(token)}`, token);
    return token.text;
  }

  private enter(token: Token): void {
    this.depth += 1;
    if (this.depth > MAX_PATTERN_DEPTH) this.fail(`nesting deeper than ${MAX_PATTERN_DEPTH} levels`, token);
  }

  private peek(): Token {
    // The lexer always ends the list with an "end" token, and `next` never moves past it.
    return this.tokens[this.at] ?? { kind: "end", text: "", offset: 0 };
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.at += 1;
    return token;
  }

  private isKeyword(text: string): boolean {
    const token = this.peek();
    return token.kind === "keyword" && token.text === text;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === "punct" && token.text === text;
  }

  private expectPunct(text: string, why: string): void {
    const token = this.next();
    if (token.kind !== "punct" || token.text !== text) this.fail(`expected "${text}" ${why}, found ${describe(token)}`, token);
  }

  private expectKeyword(text: string): void {
    const token = this.next();
    if (token.kind !== "keyword" || token.text !== text) this.fail(`expected ${text}, found ${describe(token)}`, token);
  }

  private fail(reason: string, token: Token): never {
    throw new StixPatternError(reason, token.offset);
  }
}

function operatorOf(token: Token): StixOperator | undefined {
  if (token.kind === "punct" && ["=", "!=", ">", "<", ">=", "<="].includes(token.text)) return token.text as StixOperator;
  if (token.kind === "keyword" && ["IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"].includes(token.text)) return token.text as StixOperator;
  return undefined;
}

function literalOf(token: Token): StixLiteral | undefined {
  switch (token.kind) {
    case "string":
    case "timestamp":
    case "hex":
    case "binary":
      return { kind: token.kind, value: token.text };
    case "int":
      return { kind: "int", value: Number(token.text) };
    case "float":
      return { kind: "float", value: Number(token.text) };
    case "keyword":
      return token.text === "true" || token.text === "false" ? { kind: "bool", value: token.text === "true" } : undefined;
    default:
      return undefined;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case "end":
      return "the end of the pattern";
    case "string":
      return `the string '${token.text}'`;
    case "keyword":
    case "identifier":
    case "punct":
    case "int":
    case "float":
      return `"${token.text}"`;
    default:
      return `a ${token.kind} literal`;
  }
}
