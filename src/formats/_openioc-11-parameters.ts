/**
 * Planning the OpenIOC 1.1 `parameters` section, before anything is written: which id each node
 * gets and which `ref-id` each parameter points at.
 *
 * @module
 */
import type { IndicatorNode, IocDocument, IocParameter } from "../core/ioc/model.js";
import { placeChildren, type PlacedNode } from "./_openioc-common.js";
import { stableId } from "./_stable-id.js";

/** A parameter ready to be written: its `ref-id` and `id` are settled. */
export interface OutputParameter {
  readonly parameter: IocParameter;
  readonly id: string;
  readonly refId: string;
}

/** The ids to write on nodes and the parameters to write, in order. */
export interface ParameterPlan {
  /** The id each node is written with (its own, except the case in {@link planParameters}). */
  readonly nodeIds: ReadonlyMap<IndicatorNode, string>;
  readonly parameters: readonly OutputParameter[];
}

/**
 * Plans the section:
 * - A node keeps its id, but a node with an empty id that carries parameters gets a name-based
 *   one: 1.1 attaches parameters by id, and `ref-id=""` would match every id-less node.
 * - A parameter attached to nodes points at the first of them; a document-wide one that is on no
 *   node keeps its own refId.
 * - Order: the document-wide list first (a document that was read keeps its file order), then
 *   node parameters it lacks (a document built in code may attach them to nodes only). A node
 *   parameter equal to a document-wide one, not only the same object, counts as present.
 * - A parameter without id (an upgraded 1.0 comment) gets a name-based id: the schema needs one.
 */
export function planParameters(doc: IocDocument): ParameterPlan {
  const nodeIds = new Map<IndicatorNode, string>();
  const refOf = new Map<IocParameter, string>();
  const attached: { parameter: IocParameter; refId: string }[] = [];
  const visit = ({ node, path }: PlacedNode): void => {
    const id = node.id === "" && node.parameters.length > 0 ? stableId([doc.id, path, "node"]) : node.id;
    nodeIds.set(node, id);
    for (const parameter of node.parameters) {
      if (!refOf.has(parameter)) refOf.set(parameter, id);
      attached.push({ parameter, refId: id });
    }
    if (node.kind === "indicator") placeChildren(node.children, path).forEach(visit);
  };
  if (doc.criteria) visit({ node: doc.criteria, path: "Indicator" });

  const chosen: { parameter: IocParameter; refId: string }[] = doc.parameters.map((parameter) => ({
    parameter,
    refId: refOf.get(parameter) ?? parameter.refId ?? "",
  }));
  const listed = new Set(doc.parameters);
  const unmatched = new Map<string, number>();
  for (const { parameter, refId } of chosen) {
    const key = parameterKey(parameter, refId);
    unmatched.set(key, (unmatched.get(key) ?? 0) + 1);
  }
  for (const entry of attached) {
    if (listed.has(entry.parameter)) continue;
    const key = parameterKey(entry.parameter, entry.refId);
    const count = unmatched.get(key) ?? 0;
    if (count > 0) {
      unmatched.set(key, count - 1);
      continue;
    }
    listed.add(entry.parameter);
    chosen.push(entry);
  }
  const parameters = chosen.map(({ parameter, refId }, index) => ({
    parameter,
    refId,
    id: parameter.id ?? stableId([doc.id, refId, parameter.name, parameter.value, String(index)]),
  }));
  return { nodeIds, parameters };
}

/**
 * A key that identifies a parameter by what it says, so the same parameter reached twice (on its
 * node and in the document-wide list, possibly as two equal objects) is written once.
 */
export function parameterKey(parameter: IocParameter, refId: string | undefined): string {
  return JSON.stringify([parameter.id ?? null, refId ?? null, parameter.name, parameter.value, parameter.valueType ?? null]);
}
