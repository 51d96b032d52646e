/**
 * Evaluation of per-record trees ({@link RecordNode}) in three-valued logic. The caller says what
 * each leaf is worth (its condition on the record, negation, the item's status); the tree only
 * combines: AND is the minimum, OR the maximum (FALSE < UNKNOWN < TRUE).
 *
 * @module
 */
import type { OrChildren } from "./keyed-or.js";
import type { RecordNode } from "./plan-types.js";
import { FALSE, TRUE, UNKNOWN, type Tri } from "./tri.js";

/** The value of a leaf (an item ref), negation included. */
export type LeafValue = (ref: number) => Tri;

/**
 * Answers a {@link HitBlock} from the record's hits: true when an item in `lo`..`hi` holds.
 * Only valid where every block leaf is worth TRUE when it holds and FALSE otherwise.
 */
export type BlockHit = (lo: number, hi: number) => boolean;

/** A block's value leaf by leaf (the slow, always valid way). */
function blockValue(lo: number, hi: number, leaf: LeafValue): Tri {
  let result: Tri = FALSE;
  for (let r = lo; r <= hi; r++) {
    const v = leaf(r);
    if (v === TRUE) return TRUE;
    if (v === UNKNOWN) result = UNKNOWN;
  }
  return result;
}

/** A {@link HitBlock}'s value answered whole, where its leaves' values are known to be uniform. */
export type BlockValue = (lo: number, hi: number) => Tri;

/**
 * Evaluates `node`, stopping early on a decisive child. An empty group is FALSE (semantics 5.2).
 * Blocks are answered by `blockHit`, else by `block`, else leaf by leaf. `orChildren`, when given,
 * names the children of a wide OR that are not FALSE for certain (keyed-or.ts).
 */
export function evaluateTree(node: RecordNode, leaf: LeafValue, blockHit?: BlockHit, block?: BlockValue, orChildren?: OrChildren): Tri {
  if (typeof node === "number") return leaf(node);
  if (node.op === "const") return node.value;
  if (node.op === "block") {
    if (blockHit !== undefined) return blockHit(node.lo, node.hi) ? TRUE : FALSE;
    return block === undefined ? blockValue(node.lo, node.hi, leaf) : block(node.lo, node.hi);
  }
  if (node.children.length === 0) return FALSE;
  if (node.op === "and") {
    let result: Tri = TRUE;
    for (const child of node.children) {
      const v = evaluateTree(child, leaf, blockHit, block, orChildren);
      if (v === FALSE) return FALSE;
      if (v === UNKNOWN) result = UNKNOWN;
    }
    return result;
  }
  let result: Tri = FALSE;
  for (const child of orChildren?.(node) ?? node.children) {
    const v = evaluateTree(child, leaf, blockHit, block, orChildren);
    if (v === TRUE) return TRUE;
    if (v === UNKNOWN) result = UNKNOWN;
  }
  return result;
}

/**
 * The leaves that make a TRUE tree true: every child of a TRUE AND, the TRUE children of an OR.
 * These are the "matched items" a detection reports. Does nothing when `node` is not TRUE.
 */
export function satisfiedLeaves(node: RecordNode, leaf: LeafValue, out: number[], blocks?: BlockHits): void {
  if (evaluateTree(node, leaf, blocks?.anyInRange) !== TRUE) return;
  if (typeof node === "number") {
    out.push(node);
    return;
  }
  if (node.op === "const") return;
  if (node.op === "block") {
    if (blocks !== undefined) blocks.inRange(node.lo, node.hi, out);
    else for (let r = node.lo; r <= node.hi; r++) if (leaf(r) === TRUE) out.push(r);
    return;
  }
  for (const child of node.children) satisfiedLeaves(child, leaf, out, blocks);
}

/**
 * The hits of a record, for {@link satisfiedLeaves} to answer blocks from (a 10,000-item hash
 * list is not walked item by item). Valid where {@link BlockHit} is: a block leaf holds exactly
 * when it is a hit.
 */
export interface BlockHits {
  readonly anyInRange: BlockHit;
  /** Appends the hits in `lo`..`hi` to `out`, in increasing order. */
  readonly inRange: (lo: number, hi: number, out: number[]) => void;
}

/**
 * A {@link HitBlock}'s value for {@link pendingLeaves}, appending pending refs to `out`: as its
 * leaves one by one would give, except that of pending leaves that read the same field it may
 * append only one.
 */
export type PendingBlock = (lo: number, hi: number, out: number[]) => Tri;

/**
 * Evaluates with some leaves not known yet (a file's digest before hashing it), and says which
 * of the unknown leaves could still change the outcome: a decided AND (a FALSE child) or OR (a
 * TRUE child) needs none of them. `pending(ref)` is true for a leaf not known yet; `leaf` must
 * then answer UNKNOWN for it. Pending refs are appended to `out` (repeats possible); nothing is
 * allocated, since a collector asks this for every file. `block`, when given, answers blocks
 * whole (a hash list of 10,000 items need not be visited item by item); `orChildren`, the
 * children of a wide OR that are not FALSE for certain (keyed-or.ts).
 */
export function pendingLeaves(node: RecordNode, leaf: LeafValue, pending: (ref: number) => boolean, out: number[], block?: PendingBlock, orChildren?: OrChildren): Tri {
  if (typeof node === "number") {
    const v = leaf(node);
    if (v === UNKNOWN && pending(node)) out.push(node);
    return v;
  }
  if (node.op === "const") return node.value;
  if (node.op === "block" && block !== undefined) return block(node.lo, node.hi, out);
  if (node.op === "block") {
    const mark = out.length;
    let result: Tri = FALSE;
    for (let r = node.lo; r <= node.hi; r++) {
      const v = leaf(r);
      if (v === TRUE) {
        out.length = mark;
        return TRUE;
      }
      if (v === UNKNOWN) {
        result = UNKNOWN;
        if (pending(r)) out.push(r);
      }
    }
    return result;
  }
  if (node.children.length === 0) return FALSE;
  const decisive = node.op === "and" ? FALSE : TRUE;
  const mark = out.length;
  let result: Tri = node.op === "and" ? TRUE : FALSE;
  const children = node.op === "or" ? (orChildren?.(node) ?? node.children) : node.children;
  for (const child of children) {
    const before = out.length;
    const v = pendingLeaves(child, leaf, pending, out, block, orChildren);
    if (v === decisive) {
      out.length = mark; // decided without any of them
      return decisive;
    }
    if (v !== UNKNOWN) out.length = before; // a decided child needs none of its leaves
    else result = UNKNOWN;
  }
  return result;
}
