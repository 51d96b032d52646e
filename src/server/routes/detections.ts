/**
 * `/detections`: every detected object across runs, filtered by task, device or IOC, sorted and
 * paged; `format=csv` exports all matching rows (up to 100,000) as CSV.
 *
 * @module
 */
import { csvCell } from "../../shared/csv-cell.js";
import type { Detection, FindDetections } from "../../store/fleet/index.js";
import type { ServerContext } from "../context.js";
import { route, type AnyRoute } from "../route.js";
import { DetectionOut, DetectionQuery, pageOf } from "../schemas.js";

const EXPORT_MAX = 100_000;
const CSV_COLUMNS = ["foundAt", "hostname", "deviceId", "taskId", "runId", "iocId", "iocTitle", "document", "objectId", "actionable", "actions"] as const;

function csvRow(d: Detection): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string> = {
    foundAt: d.foundAt,
    hostname: d.hostname,
    deviceId: d.deviceId,
    taskId: d.taskId,
    runId: d.runId,
    iocId: d.iocId,
    iocTitle: d.iocTitle,
    document: d.document,
    objectId: d.objectId,
    actionable: String(d.actionable),
    actions: JSON.stringify(d.actions),
  };
  return CSV_COLUMNS.map((k) => csvCell(values[k])).join(",");
}

export function detectionRoutes({ store }: ServerContext): AnyRoute[] {
  return [
    route({
      method: "get",
      path: "/detections",
      access: "viewer",
      summary: "Detections filtered by taskId, deviceId, iocId; sort foundAt|iocId|hostname; format json (paged) or csv (all)",
      query: DetectionQuery,
      response: { status: 200, schema: pageOf(DetectionOut) },
      async handle({ c, query }) {
        const filter: FindDetections = {
          ...(query.taskId === undefined ? {} : { taskId: query.taskId }),
          ...(query.deviceId === undefined ? {} : { deviceId: query.deviceId }),
          ...(query.iocId === undefined ? {} : { iocId: query.iocId }),
          ...(query.sort === undefined ? {} : { sort: query.sort }),
          ...(query.order === undefined ? {} : { order: query.order }),
        };
        if (query.format === "json") {
          const { detections, total } = await store.findDetections({ ...filter, limit: query.limit, offset: query.offset });
          return c.json({ items: detections, total });
        }
        const lines = [CSV_COLUMNS.join(",")];
        for (let offset = 0; offset < EXPORT_MAX; offset += 1000) {
          const { detections } = await store.findDetections({ ...filter, limit: 1000, offset });
          lines.push(...detections.map(csvRow));
          if (detections.length < 1000) break;
        }
        return c.body(`${lines.join("\r\n")}\r\n`, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="detections.csv"' });
      },
    }),
  ];
}
