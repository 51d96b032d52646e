/**
 * `/dashboard`: the console's first page in one request: devices online and offline, detected
 * objects per UTC day over the last two weeks (days without any included as 0), the tasks with
 * unfinished runs, and the newest detections.
 *
 * @module
 */
import type { ServerContext } from "../context.js";
import { ONLINE_WITHIN_MS } from "../online.js";
import { route, type AnyRoute } from "../route.js";
import { DashboardOut } from "../schemas.js";

export const CHART_DAYS = 14;
const RECENT_DETECTIONS = 10;
const DAY_MS = 86_400_000;
const UNFINISHED = ["pending", "scheduled", "running", "paused"] as const;

/** The `days` UTC days ending with today's, oldest first, as `YYYY-MM-DD`. */
export function lastDays(now: Date, days: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

export function dashboardRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  return [
    route({
      method: "get",
      path: "/dashboard",
      access: "viewer",
      summary: "Devices online/offline, detected objects per UTC day (14 days), tasks with unfinished runs, the newest detections",
      response: { status: 200, schema: DashboardOut },
      async handle({ c }) {
        const now = ctx.now();
        const days = lastDays(now, CHART_DAYS);
        const fleet = await store.fleetCounts(new Date(now.getTime() - ONLINE_WITHIN_MS).toISOString());
        const counted = new Map((await store.detectionsPerDay(`${days[0] ?? ""}T00:00:00.000Z`)).map((d) => [d.day, d.count]));
        const tasks = await store.listTasks({ limit: 1000 });
        const { detections } = await store.findDetections({ limit: RECENT_DETECTIONS, sort: "foundAt", order: "desc" });
        return c.json({
          devices: { total: fleet.devices, online: fleet.devicesOnline, offline: fleet.devices - fleet.devicesOnline, onlineWithinMinutes: ONLINE_WITHIN_MS / 60_000 },
          detectionsPerDay: days.map((day) => ({ day, count: counted.get(day) ?? 0 })),
          activeTasks: tasks.filter((t) => UNFINISHED.some((s) => (t.counts[s] ?? 0) > 0)),
          recentDetections: detections,
        });
      },
    }),
  ];
}
