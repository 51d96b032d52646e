/**
 * `/devices`: the enrolled devices, their quarantine stores and the commands sent to them.
 *
 * @module
 */
import { z } from "zod";
import type { ServerContext } from "../context.js";
import { HttpError, notFound } from "../http-error.js";
import { route, type AnyRoute } from "../route.js";
import { CommandOut, DeviceOut, DeviceQuery, MoveDeviceBody, pageOf, QuarantineOut } from "../schemas.js";

export function deviceRoutes({ store, notifier }: ServerContext): AnyRoute[] {
  const requireDevice = async (id: string) => {
    const device = await store.getDevice(id);
    if (device === undefined) throw notFound("device", id);
    return device;
  };
  const command = (kind: "quarantine-restore" | "quarantine-delete", verb: string): AnyRoute =>
    route({
      method: "post",
      path: `/devices/:id/quarantine/:quarantineId/${verb}`,
      access: "operator",
      summary: `Ask the device to ${verb} a quarantined object (answered through the command's result)`,
      response: { status: 202, schema: CommandOut },
      async handle({ c, params, user }) {
        const device = await requireDevice(params["id"] ?? "");
        const quarantineId = params["quarantineId"] ?? "";
        const known = (await store.listQuarantine(device.id)).some((e) => e.quarantineId === quarantineId);
        if (!known) throw notFound("quarantine entry", quarantineId);
        const created = await store.createCommand({ deviceId: device.id, kind, quarantineId }, `user:${user?.name ?? ""}`);
        await notifier.notify([device.id]);
        return c.json(created, 202);
      },
    });
  return [
    route({
      method: "get",
      path: "/devices",
      access: "viewer",
      summary: "List devices, by group (recursive=true for subgroups) and host name substring, in pages",
      query: DeviceQuery,
      response: { status: 200, schema: pageOf(DeviceOut) },
      async handle({ c, query }) {
        const { devices, total } = await store.listDevices({
          limit: query.limit,
          offset: query.offset,
          ...(query.groupId === undefined ? {} : { groupId: query.groupId }),
          ...(query.recursive === undefined ? {} : { recursive: query.recursive }),
          ...(query.search === undefined ? {} : { search: query.search }),
        });
        return c.json({ items: devices, total });
      },
    }),
    route({
      method: "get",
      path: "/devices/:id",
      access: "viewer",
      summary: "Show one device",
      response: { status: 200, schema: DeviceOut },
      async handle({ c, params }) {
        return c.json(await requireDevice(params["id"] ?? ""));
      },
    }),
    route({
      method: "patch",
      path: "/devices/:id",
      access: "operator",
      summary: "Move a device to another group",
      body: MoveDeviceBody,
      response: { status: 200, schema: DeviceOut },
      async handle({ c, body, params, user }) {
        const id = params["id"] ?? "";
        if ((await store.getGroup(body.groupId)) === undefined) throw new HttpError(400, "invalid-request", `Invalid body: "groupId": no group "${body.groupId}"`);
        const device = await store.moveDevice(id, body.groupId, `user:${user?.name ?? ""}`);
        if (device === undefined) throw notFound("device", id);
        return c.json(device);
      },
    }),
    route({
      method: "delete",
      path: "/devices/:id",
      access: "operator",
      summary: "Delete a device: its credential stops working; its finished results stay until retention",
      response: { status: 204 },
      async handle({ c, params, user }) {
        const id = params["id"] ?? "";
        if (!(await store.deleteDevice(id, `user:${user?.name ?? ""}`))) throw notFound("device", id);
        return c.body(null, 204);
      },
    }),
    route({
      method: "get",
      path: "/devices/:id/quarantine",
      access: "viewer",
      summary: "The device's quarantine store, as its agent last reported it",
      response: { status: 200, schema: z.object({ items: z.array(QuarantineOut) }) },
      async handle({ c, params }) {
        const device = await requireDevice(params["id"] ?? "");
        return c.json({ items: await store.listQuarantine(device.id) });
      },
    }),
    route({
      method: "get",
      path: "/devices/:id/commands",
      access: "viewer",
      summary: "Commands sent to the device and their results, newest first",
      response: { status: 200, schema: z.object({ items: z.array(CommandOut) }) },
      async handle({ c, params }) {
        const device = await requireDevice(params["id"] ?? "");
        return c.json({ items: await store.listCommands(device.id) });
      },
    }),
    command("quarantine-restore", "restore"),
    command("quarantine-delete", "delete"),
  ];
}
