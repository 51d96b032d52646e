/**
 * Semantic checks of a parsed IOC against the vocabulary: what a user should know before
 * trusting a scan with it (unknown or uncollectable terms, empty or ill-typed values, groups
 * that can never act), and how many of its items this platform can evaluate.
 *
 * @example
 * ```ts
 * const { document } = parseIoc(bytes);
 * const report = checkIoc(document, { platform: "linux" });
 * console.log(`${report.supportedItems}/${report.items} items can be evaluated`);
 * ```
 *
 * @module
 */
import { parseValue, type ValueType } from "../vocabulary/index.js";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import { groupDiagnostics } from "./group-checks.js";
import { classifyItem, type ItemSupportOptions } from "./item-support.js";
import type { Indicator, IndicatorItem, IocDocument } from "./model.js";
import { xsdOnlySyntax } from "./regex-dialect.js";

/** Options of {@link checkIoc}. */
export interface CheckIocOptions extends ItemSupportOptions {
  /**
   * Says why a `matches` pattern cannot be run, or undefined when it can. Supplied by the caller,
   * since the regex engine lives outside core.
   */
  readonly regexProblem?: (pattern: string, ignoreCase: boolean) => string | undefined;
}

/** The result of checking one IOC. */
export interface IocCheck {
  readonly items: number;
  readonly supportedItems: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** Checks one parsed IOC. */
export function checkIoc(document: IocDocument, options: CheckIocOptions = {}): IocCheck {
  const diagnostics: Diagnostic[] = [];
  let items = 0;
  let supportedItems = 0;

  const visitItem = (item: IndicatorItem): void => {
    items++;
    const support = classifyItem(item, options);
    const source = support.source;
    if (source && source.term !== item.term && source.term.toLowerCase() === item.term.toLowerCase()) {
      diagnostics.push(diagnostic("IOC027", `Term "${item.term}" is spelled "${source.term}" in the vocabulary`, item.position));
    }
    if (!support.supported) {
      // The parser has already said IOC011 (unknown condition) at this item.
      if (support.code !== "IOC011") diagnostics.push(diagnostic(support.code, support.reason, item.position));
      return;
    }
    if ("mapping" in support && support.mapping) {
      diagnostics.push(diagnostic("IOC033", `"${support.source.term}" is evaluated as "${support.target.term}"`, item.position));
    }
    const problem = valueProblem(item, support.target.type, options);
    if (problem) {
      diagnostics.push(problem);
      // A value that cannot be parsed or run leaves the item UNKNOWN; the others only inform.
      if (problem.code === "IOC030" || problem.code === "IOC034") return;
    }
    if (item.preserveCase && support.target.type !== "string") {
      diagnostics.push(diagnostic("IOC029", `preserve-case="true" has no effect on "${support.target.term}" (type ${support.target.type})`, item.position));
    }
    supportedItems++;
  };

  /**
   * Rule 7.6 (a) as the scan binds it: the items of one document that no positive item of that
   * document joins on a record (all negated, none positive in a sub-indicator of the group nor in
   * an AND above) never match. The whole-group case is `AND{ NOT a, NOT b }`; the partial one
   * `AND{ ProcessItem/name is x, NOT FileItem/FileName is y }`, whose file part never matches.
   *
   * `anchored`: documents an AND above supplies a positive item of, from another of its children,
   * so that the HX exclusion `AND{ name is x, OR{ AND{ NOT a, NOT b }, NOT c } }` is not flagged.
   * A positive item anywhere under a sibling counts, even under an OR: the warning errs on the
   * quiet side.
   */
  const visitIndicator = (indicator: Indicator, anchored: ReadonlySet<string>): void => {
    const { children } = indicator;
    const childPositive = children.map((c) => (c.kind === "indicator" ? positiveDocuments(c) : undefined));
    const whole = children.length > 0 && children.every((c) => c.kind === "item" && c.negate);
    if (whole && children.some((c) => c.kind === "item" && !anchored.has(c.document))) {
      diagnostics.push(
        diagnostic("IOC025", `Indicator "${indicator.id}" holds only negated items: it never yields an actionable match`, indicator.position),
      );
    } else if (!whole) {
      // Items iocscan cannot evaluate bind no record (they are UNKNOWN, with their own warning).
      const negatedOnly = negatedOnlyDocuments(indicator, anchored, childPositive, (item) => classifyItem(item, options).supported);
      if (negatedOnly.length > 0) {
        const message = `Indicator "${indicator.id}": its ${negatedOnly.join(", ")} items are all negated and no positive item of their document joins them: they never match`;
        diagnostics.push(diagnostic("IOC025", message, indicator.position));
      }
    }
    diagnostics.push(...groupDiagnostics(indicator));
    let directPositive: Set<string> | undefined;
    children.forEach((child, k) => {
      if (child.kind === "item") {
        visitItem(child);
        return;
      }
      if (indicator.operator !== "AND") {
        visitIndicator(child, anchored);
        return;
      }
      if (directPositive === undefined) {
        directPositive = new Set();
        for (const c of children) if (c.kind === "item" && !c.negate) directPositive.add(c.document);
      }
      const inner = new Set([...anchored, ...directPositive]);
      childPositive.forEach((docs, j) => {
        if (docs !== undefined && j !== k) for (const d of docs) inner.add(d);
      });
      visitIndicator(child, inner);
    });
  };

  if (document.criteria) visitIndicator(document.criteria, new Set());
  return { items, supportedItems, diagnostics };
}

/** A diagnostic for a value the item can never match with, or undefined. */
function valueProblem(item: IndicatorItem, type: ValueType, options: CheckIocOptions): Diagnostic | undefined {
  const label = item.id ? `IndicatorItem "${item.id}"` : "IndicatorItem";
  if (item.value.trim() === "") {
    // `is ""` on a string term is a deliberate test for an empty field (openioc-semantics 6.2).
    if (item.condition === "is" && type === "string" && item.hasContent) return undefined;
    return diagnostic("IOC023", `${label} has empty content: "${item.condition}" with an empty value never matches`, item.valuePosition);
  }
  if (item.condition === "matches") {
    const problem = xsdOnlySyntax(item.value) ?? options.regexProblem?.(item.value, !item.preserveCase);
    return problem ? diagnostic("IOC034", `${label}: the pattern cannot be run: ${problem}`, item.valuePosition) : undefined;
  }
  if (type === "string") {
    if (item.value !== item.value.trim()) {
      return diagnostic("IOC028", `${label}: the value has leading or trailing whitespace, kept as written`, item.valuePosition);
    }
    return undefined;
  }
  if (item.condition === "is" || item.condition === "greater-than" || item.condition === "less-than") {
    const parsed = parseValue(type, item.value, { ranges: item.condition === "is" });
    if (!parsed.ok) return diagnostic("IOC030", `${label}: ${parsed.reason}`, item.valuePosition);
  }
  return undefined;
}

/** The documents of the positive (non-negated) items under `node`. */
function positiveDocuments(node: Indicator | IndicatorItem): ReadonlySet<string> {
  const out = new Set<string>();
  const visit = (n: Indicator | IndicatorItem): void => {
    if (n.kind === "item") {
      if (!n.negate) out.add(n.document);
    } else for (const c of n.children) visit(c);
  };
  visit(node);
  return out;
}

/** The documents whose direct items under `indicator` are all negated and joined by no positive item of theirs. */
function negatedOnlyDocuments(
  indicator: Indicator,
  anchored: ReadonlySet<string>,
  childPositive: readonly (ReadonlySet<string> | undefined)[],
  binds: (item: IndicatorItem) => boolean,
): string[] {
  // A plain list of positive items (a hash list) is passed over without classifying anything.
  if (!indicator.children.some((c) => c.kind === "item" && c.negate)) return [];
  const onlyNegated = new Map<string, boolean>();
  for (const c of indicator.children) {
    if (c.kind === "item" && binds(c)) onlyNegated.set(c.document, (onlyNegated.get(c.document) ?? true) && c.negate);
  }
  const out: string[] = [];
  for (const [doc, negated] of onlyNegated) {
    if (negated && !anchored.has(doc) && !childPositive.some((docs) => docs?.has(doc) === true)) out.push(doc);
  }
  return out;
}
