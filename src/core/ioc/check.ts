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
   * `anchored`: documents an AND above supplies a positive item of, from another of its children.
   * A negated-only group is flagged only when it binds a document none anchors: the HX pattern
   * `AND{ name is x, OR{ AND{ NOT a, NOT b }, NOT c } }` is an exclusion on the record the positive
   * item binds (rule 7.6 a is about the single-document group as a whole, as the scan binds it).
   * A positive item under an OR sibling counts as anchoring too: the warning errs on the quiet side.
   */
  const visitIndicator = (indicator: Indicator, anchored: ReadonlySet<string>): void => {
    const direct = indicator.children.filter((c): c is IndicatorItem => c.kind === "item");
    if (
      direct.length > 0 &&
      direct.length === indicator.children.length &&
      direct.every((i) => i.negate) &&
      direct.some((i) => !anchored.has(i.document))
    ) {
      diagnostics.push(
        diagnostic("IOC025", `Indicator "${indicator.id}" holds only negated items: it never yields an actionable match`, indicator.position),
      );
    }
    diagnostics.push(...groupDiagnostics(indicator));
    const positive = indicator.operator === "AND" ? indicator.children.map(positiveDocuments) : [];
    indicator.children.forEach((child, k) => {
      if (child.kind === "item") {
        visitItem(child);
        return;
      }
      if (indicator.operator !== "AND") {
        visitIndicator(child, anchored);
        return;
      }
      const inner = new Set(anchored);
      positive.forEach((docs, j) => {
        if (j !== k) for (const d of docs) inner.add(d);
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
