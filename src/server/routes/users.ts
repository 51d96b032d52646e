/**
 * `/users`: administrators only. The last administrator cannot be demoted or deleted.
 *
 * @module
 */
import { z } from "zod";
import { LastAdministratorError } from "../../store/fleet/index.js";
import { hashPassword } from "../auth/secrets.js";
import type { ServerContext } from "../context.js";
import { HttpError, notFound } from "../http-error.js";
import { route, type AnyRoute } from "../route.js";
import { CreateUserBody, UpdateUserBody, UserOut } from "../schemas.js";

export function userRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  const actor = (name: string | undefined): string => `user:${name ?? ""}`;
  // The store checks in the change's own transaction (no look-up first: two requests at once
  // would both pass it).
  const lastAdministrator = (error: unknown): never => {
    if (error instanceof LastAdministratorError) throw new HttpError(409, "last-administrator", "Cannot remove the last administrator");
    throw error;
  };
  return [
    route({
      method: "get",
      path: "/users",
      access: "administrator",
      summary: "List users",
      response: { status: 200, schema: z.object({ items: z.array(UserOut) }) },
      async handle({ c }) {
        return c.json({ items: await store.listUsers() });
      },
    }),
    route({
      method: "post",
      path: "/users",
      access: "administrator",
      summary: "Create a user",
      body: CreateUserBody,
      response: { status: 201, schema: UserOut },
      async handle({ c, body, user }) {
        if ((await store.findUserByName(body.name)) !== undefined) throw new HttpError(409, "exists", `User "${body.name}" exists already`);
        const created = await store.createUser({ name: body.name, role: body.role, passwordHash: await hashPassword(body.password) }, actor(user?.name));
        return c.json(created, 201);
      },
    }),
    route({
      method: "patch",
      path: "/users/:id",
      access: "administrator",
      summary: "Change a user's role or password (ends the user's sessions)",
      body: UpdateUserBody,
      response: { status: 200, schema: UserOut },
      async handle({ c, body, params, user }) {
        const id = params["id"] ?? "";
        const change = { ...(body.role === undefined ? {} : { role: body.role }), ...(body.password === undefined ? {} : { passwordHash: await hashPassword(body.password) }) };
        const updated = await store.updateUser(id, change, actor(user?.name)).catch(lastAdministrator);
        if (updated === undefined) throw notFound("user", id);
        return c.json(updated);
      },
    }),
    route({
      method: "delete",
      path: "/users/:id",
      access: "administrator",
      summary: "Delete a user",
      response: { status: 204 },
      async handle({ c, params, user }) {
        const id = params["id"] ?? "";
        if (!(await store.deleteUser(id, actor(user?.name)).catch(lastAdministrator))) throw notFound("user", id);
        return c.body(null, 204);
      },
    }),
  ];
}
