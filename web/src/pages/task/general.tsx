/** Task properties -> General: name, target, run mode, IOC files, who created it and when, and when a stand-alone task is deleted. */
import { api } from "../../api/client.js";
import type { Group, IocFile, Task } from "../../api/types.js";
import { formatTime } from "../../format.js";
import { useLoad } from "../../hooks.js";
import { runModeLabel } from "../task-labels.js";

export function GeneralSection({ task }: { task: Task }) {
  const groups = useLoad(() => api.get<{ items: Group[] }>("/groups"), "groups");
  const files = useLoad(() => api.get<{ items: IocFile[] }>("/ioc-files"), "ioc-files");
  const target =
    task.target.kind === "group"
      ? `Group "${groups.data?.items.find((g) => g.id === (task.target.kind === "group" ? task.target.groupId : ""))?.name ?? task.target.groupId}" with its subgroups`
      : `${task.target.deviceIds.length} selected device${task.target.deviceIds.length === 1 ? "" : "s"}`;
  const fileNames = task.iocFileIds.map((id) => files.data?.items.find((f) => f.id === id)?.name ?? id);
  return (
    <section className="panel">
      <dl className="props">
        <dt>Name</dt>
        <dd>{task.name}</dd>
        <dt>Target</dt>
        <dd>{target}</dd>
        <dt>Run mode</dt>
        <dd>{runModeLabel(task)}</dd>
        <dt>IOC files</dt>
        <dd>{fileNames.join(", ")}</dd>
        <dt>Created</dt>
        <dd>
          {formatTime(task.createdAt)} <span className="muted">by {task.createdBy}</span>
        </dd>
        <dt>Changed</dt>
        <dd>{formatTime(task.updatedAt)}</dd>
        <dt>Kind</dt>
        <dd>{task.standalone ? "Stand-alone (from the sandbox intake)" : "Group task"}</dd>
        {task.origin !== null && (
          <>
            <dt>Origin</dt>
            <dd>
              Sandbox detection ({task.origin.format}): verdict <strong>{task.origin.verdict}</strong>
              {task.origin.score === undefined ? "" : `, score ${task.origin.score}`}
              {task.origin.detectedOn?.hostname === undefined ? "" : `, detected on ${task.origin.detectedOn.hostname}`}
              <div className="mono break">
                {task.origin.sample.name ?? "(unnamed sample)"} {task.origin.sample.sha256 ?? task.origin.sample.md5 ?? task.origin.sample.sha1 ?? ""}
              </div>
            </dd>
          </>
        )}
        {task.deleteAfter !== null && (
          <>
            <dt>Deletes on</dt>
            <dd>{formatTime(task.deleteAfter)}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
