/**
 * The IOC viewer: an IOC file's indicator tree as nested AND/OR boxes, each item as
 * "Document/Search condition value". With a detection chosen (from the list beside the tree, or
 * from a "view in IOC" link: `iocViewerLink`), the items that matched are highlighted with the
 * value observed on the object, and the object's evidence is listed.
 *
 * Address: `/ioc-viewer?file=<IOC file id>` or `?iocId=<IOC id>` (the newest usable file with
 * that id), plus `taskId`, `deviceId`, `document`, `objectId` naming the detection.
 */
import { Link, useSearchParams } from "react-router";
import { api } from "../api/client.js";
import type { Detection, IocFile, IocTree, IocTreeNode } from "../api/types.js";
import { DataTable, type Column } from "../components/data-table.js";
import { formatTime } from "../format.js";
import { useLoad } from "../hooks.js";
import { iocViewerLink } from "./ioc-viewer-link.js";

type Item = Extract<IocTreeNode, { kind: "item" }>;

const CONDITION_LABEL: Record<string, string> = { is: "is", contains: "contains", matches: "matches", "starts-with": "starts with", "ends-with": "ends with", "greater-than": "greater than", "less-than": "less than" };

/** The field of a detected object an item tested: reports key fields by the term after the document (`FileItem/Md5sum` -> `Md5sum`). */
function observedValue(item: Item, fields: Record<string, unknown>): unknown {
  const term = item.search.replace(/^[^/]+\//, "");
  return fields[term] ?? fields[item.search] ?? fields[term.split("/").pop() ?? term];
}

const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

function ItemBox({ item, detection }: { item: Item; detection: Detection | undefined }) {
  const matched = detection !== undefined && item.id !== "" && detection.matchedItems.includes(item.id);
  const observed = matched ? observedValue(item, detection.fields) : undefined;
  return (
    <div className={`ioc-item${matched ? " matched" : ""}`} data-item-id={item.id} aria-label={`${item.search} ${item.condition} ${item.content}${matched ? " (matched)" : ""}`}>
      <div>
        <span className="term">{item.search}</span> <span className="cond">{item.negate ? "not " : ""}{CONDITION_LABEL[item.condition] ?? item.condition}</span> <span className="value">{item.content}</span>
      </div>
      <div className="flags">
        {item.preserveCase && <span className="badge small state-pending">case-sensitive</span>}
        {matched && <span className="badge small state-finished">matched</span>}
        <span className="muted" title="Line in the file">
          L{item.line}
        </span>
      </div>
      {matched && observed !== undefined && (
        <div className="observed">
          observed: <span className="mono">{show(observed)}</span>
        </div>
      )}
    </div>
  );
}

/** True when something under `node` matched (the indicator box is tinted). */
function anyMatched(node: IocTreeNode, matched: ReadonlySet<string>): boolean {
  return node.kind === "item" ? matched.has(node.id) : node.children.some((c) => anyMatched(c, matched));
}

function NodeBox({ node, detection, matched }: { node: IocTreeNode; detection: Detection | undefined; matched: ReadonlySet<string> }) {
  if (node.kind === "item") return <ItemBox item={node} detection={detection} />;
  return (
    <div className={`ioc-indicator op-${node.operator}${anyMatched(node, matched) ? " matched" : ""}`} role="group" aria-label={`${node.operator} indicator ${node.id}`}>
      <div>
        <span className={`op-badge op-${node.operator}`}>{node.operator}</span> <span className="muted mono">{node.id}</span>
      </div>
      {node.children.map((child, i) => (
        <NodeBox key={`${child.id}-${i}`} node={child} detection={detection} matched={matched} />
      ))}
    </div>
  );
}

/** Finds the file to show: by id, or the newest usable upload of the IOC id. */
async function loadFile(fileId: string | null, iocId: string | null): Promise<IocFile | undefined> {
  if (fileId !== null) return api.get<IocFile>(`/ioc-files/${encodeURIComponent(fileId)}`);
  const files = (await api.get<{ items: IocFile[] }>("/ioc-files")).items;
  return files.filter((f) => f.iocId === iocId && f.usable).sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))[0];
}

export function IocViewerPage() {
  const [params] = useSearchParams();
  const fileId = params.get("file");
  const iocId = params.get("iocId");
  const chosen = { taskId: params.get("taskId"), deviceId: params.get("deviceId"), document: params.get("document") ?? "", objectId: params.get("objectId") };

  const file = useLoad(() => loadFile(fileId, iocId), `${fileId}|${iocId}`);
  const tree = useLoad(async () => (file.data === undefined ? undefined : api.get<IocTree>(`/ioc-files/${file.data.id}/tree`)), file.data?.id ?? "");
  const detection = useLoad(async () => {
    if (chosen.taskId === null || chosen.objectId === null || iocId === null) return undefined;
    const page = await api.get<{ items: Detection[] }>("/detections", { taskId: chosen.taskId, deviceId: chosen.deviceId ?? undefined, iocId, limit: 1000 });
    return page.items.find((d) => d.document === chosen.document && d.objectId === chosen.objectId);
  }, params.toString());

  const shownIocId = tree.data?.iocId ?? iocId ?? "";
  const d = detection.data;
  const matched = new Set(d?.matchedItems ?? []);
  const isChosen = (x: Detection) => d !== undefined && x.runId === d.runId && x.document === d.document && x.objectId === d.objectId;

  const columns: Column<Detection>[] = [
    { header: "Host", render: (x) => x.hostname, width: "20%" },
    { header: "Object", render: (x) => <span className="mono break">{x.objectId || x.document}</span> },
    { header: "Found", render: (x) => formatTime(x.foundAt), width: "10.5rem" },
    { header: "", render: (x) => (isChosen(x) ? <span className="muted">shown</span> : <Link to={iocViewerLink(x)}>view in IOC</Link>), width: "6.5rem" },
  ];

  const error = file.error ?? tree.error ?? detection.error;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>IOC viewer{tree.data !== undefined ? `: ${tree.data.title || tree.data.iocId}` : ""}</h1>
          {file.data !== undefined && (
            <div className="sub">
              {file.data.name} · <span className="mono">{file.data.iocId}</span> · OpenIOC {file.data.openiocVersion ?? "?"}
            </div>
          )}
        </div>
        <Link to="/ioc-files">All IOC files</Link>
      </div>
      {error !== undefined && (
        <div className="error" role="alert">
          {error.message}
        </div>
      )}
      {file.data === undefined && file.error === undefined && fileId === null && iocId !== null && <div className="panel empty">Looking for an uploaded file with IOC id {iocId}…</div>}
      <div className="viewer-grid">
        <section className="panel" aria-label="Indicator tree">
          <h2>Indicators</h2>
          {tree.data === undefined ? <div className="muted">Loading…</div> : tree.data.criteria === null ? <div className="muted">This IOC has no indicators.</div> : <div className="ioc-tree"><NodeBox node={tree.data.criteria} detection={d} matched={matched} /></div>}
        </section>
        <section aria-label="Detections">
          {d !== undefined && (
            <div className="panel" style={{ marginBottom: 12 }}>
              <h2>Detection</h2>
              <dl className="props">
                <dt>Host</dt>
                <dd>{d.hostname}</dd>
                <dt>Object</dt>
                <dd className="mono break">{d.objectId}</dd>
                <dt>Found</dt>
                <dd>{formatTime(d.foundAt)}</dd>
                <dt>Matched items</dt>
                <dd className="mono">{d.matchedItems.join(", ") || "—"}</dd>
                <dt>Task</dt>
                <dd>
                  <Link to={`/tasks/${d.taskId}`}>open task</Link>
                </dd>
              </dl>
              <h2 style={{ marginTop: 10 }}>Evidence</h2>
              <dl className="props">
                {Object.entries(d.fields).map(([k, v]) => (
                  <div key={k} style={{ display: "contents" }}>
                    <dt>{k}</dt>
                    <dd className="mono break">{show(v)}</dd>
                  </div>
                ))}
              </dl>
            </div>
          )}
          {chosen.objectId !== null && detection.data === undefined && detection.error === undefined && <div className="panel empty">Loading the detection…</div>}
          {shownIocId !== "" && (
            <>
              <h2>Detections of this IOC</h2>
              <DataTable label="Detections of this IOC" columns={columns} rowKey={(x) => `${x.runId}|${x.document}|${x.objectId}`} filterKey={shownIocId} pageSize={25} load={(p) => api.get<{ items: Detection[]; total: number }>("/detections", { iocId: shownIocId, limit: p.limit, offset: p.offset })} empty="No detections of this IOC." />
            </>
          )}
        </section>
      </div>
    </>
  );
}
