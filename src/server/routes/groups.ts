/**
 * `/groups`: the device group tree under the root group "root".
 *
 * @module
 */
import { z } from "zod";
import type { ServerContext } from "../context.js";
import { HttpError, notFound } from "../http-error.js";
import { route, type AnyRoute } from "../route.js";
import { CreateGroupBody, GroupOut, UpdateGroupBody } from "../schemas.js";

export function groupRoutes({ store }: ServerContext): AnyRoute[] {
  return [
    route({
      method: "get",
      path: "/groups",
      access: "viewer",
      summary: "List every group (a tree: follow parentId)",
      response: { status: 200, schema: z.object({ items: z.array(GroupOut) }) },
      async handle({ c }) {
        return c.json({ items: await store.listGroups() });
      },
    }),
    route({
      method: "post",
      path: "/groups",
      access: "operator",
      summary: "Create a group below parentId",
      body: CreateGroupBody,
      response: { status: 201, schema: GroupOut },
      async handle({ c, body, user }) {
        if ((await store.getGroup(body.parentId)) === undefined) throw new HttpError(400, "invalid-request", `Invalid body: "parentId": no group "${body.parentId}"`);
        return c.json(await store.createGroup(body, `user:${user?.name ?? ""}`), 201);
      },
    }),
    route({
      method: "patch",
      path: "/groups/:id",
      access: "operator",
      summary: "Rename or move a group",
      body: UpdateGroupBody,
      response: { status: 200, schema: GroupOut },
      async handle({ c, body, params, user }) {
        const id = params["id"] ?? "";
        const change = { ...(body.name === undefined ? {} : { name: body.name }), ...(body.parentId === undefined ? {} : { parentId: body.parentId }) };
        const group = await store.updateGroup(id, change, `user:${user?.name ?? ""}`);
        if (group === undefined) throw notFound("group", id);
        return c.json(group);
      },
    }),
    route({
      method: "delete",
      path: "/groups/:id",
      access: "operator",
      summary: "Delete an empty group",
      response: { status: 204 },
      async handle({ c, params, user }) {
        const id = params["id"] ?? "";
        const outcome = await store.deleteGroup(id, `user:${user?.name ?? ""}`);
        if (outcome === "not-found") throw notFound("group", id);
        if (outcome === "not-empty") throw new HttpError(409, "not-empty", `Group "${id}" still holds groups or devices (or is the root)`);
        return c.body(null, 204);
      },
    }),
  ];
}
