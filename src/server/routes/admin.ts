/**
 * `/audit` (administrators) and `/settings` (read by all, changed by administrators).
 *
 * @module
 */
import type { ServerContext } from "../context.js";
import { route, type AnyRoute } from "../route.js";
import { AuditOut, AuditQuery, pageOf, SettingsOut, UpdateSettingsBody } from "../schemas.js";

export function adminRoutes({ store }: ServerContext): AnyRoute[] {
  return [
    route({
      method: "get",
      path: "/audit",
      access: "administrator",
      summary: "The audit log of every change, newest first; actor and action filter by substring",
      query: AuditQuery,
      response: { status: 200, schema: pageOf(AuditOut) },
      async handle({ c, query }) {
        const { entries, total } = await store.listAudit({
          limit: query.limit,
          offset: query.offset,
          ...(query.actor === undefined ? {} : { actor: query.actor }),
          ...(query.action === undefined ? {} : { action: query.action }),
        });
        return c.json({ items: entries, total });
      },
    }),
    route({
      method: "get",
      path: "/settings",
      access: "viewer",
      summary: "Retention settings (days)",
      response: { status: 200, schema: SettingsOut },
      async handle({ c }) {
        return c.json(await store.getSettings());
      },
    }),
    route({
      method: "patch",
      path: "/settings",
      access: "administrator",
      summary: "Change retention settings",
      body: UpdateSettingsBody,
      response: { status: 200, schema: SettingsOut },
      async handle({ c, body, user }) {
        const change = {
          ...(body.resultRetentionDays === undefined ? {} : { resultRetentionDays: body.resultRetentionDays }),
          ...(body.standaloneTaskDays === undefined ? {} : { standaloneTaskDays: body.standaloneTaskDays }),
        };
        return c.json(await store.updateSettings(change, `user:${user?.name ?? ""}`));
      },
    }),
  ];
}
