/**
 * `/ioc-files`: upload (validated; a batch with any unusable file is refused whole, with every
 * file's diagnostics), list, show, download, the parsed indicator tree, delete.
 *
 * @module
 */
import { z } from "zod";
import type { ServerContext } from "../context.js";
import { HttpError, notFound } from "../http-error.js";
import { prepareUploadedFile, sha256Hex } from "../ioc-validation.js";
import { iocTreeOf } from "../ioc-tree.js";
import { route, type AnyRoute } from "../route.js";
import { IocFileOut, IocTreeOut, UploadIocBody } from "../schemas.js";

export function iocFileRoutes({ store }: ServerContext): AnyRoute[] {
  return [
    route({
      method: "get",
      path: "/ioc-files",
      access: "viewer",
      summary: "List IOC files with their validation results",
      response: { status: 200, schema: z.object({ items: z.array(IocFileOut) }) },
      async handle({ c }) {
        return c.json({ items: await store.listIocFiles() });
      },
    }),
    route({
      method: "post",
      path: "/ioc-files",
      access: "operator",
      summary: "Upload IOC files (OpenIOC XML, or STIX 2.1 / MISP JSON converted to OpenIOC; text or base64 bytes); unusable files are refused with 400 listing each file's diagnostics",
      body: UploadIocBody,
      response: { status: 201, schema: z.object({ items: z.array(IocFileOut) }) },
      async handle({ c, body, user }) {
        const checked = body.files.flatMap((f) => prepareUploadedFile(f.name, f.encoding === "base64" ? new Uint8Array(Buffer.from(f.content, "base64")) : new TextEncoder().encode(f.content)));
        const unusable = checked.filter((f) => !f.validation.usable);
        if (unusable.length > 0) {
          throw new HttpError(400, "unusable-ioc-files", `Unusable IOC files: ${unusable.map((f) => `"${f.name}"`).join(", ")}`, {
            details: { files: unusable.map((f) => ({ name: f.name, diagnostics: f.validation.diagnostics })) },
          });
        }
        const items = [];
        for (const f of checked) items.push(await store.addIocFile({ name: f.name, content: f.content, sha256: sha256Hex(f.content), validation: f.validation }, `user:${user?.name ?? ""}`));
        return c.json({ items }, 201);
      },
    }),
    route({
      method: "get",
      path: "/ioc-files/:id",
      access: "viewer",
      summary: "Show one IOC file's metadata and diagnostics",
      response: { status: 200, schema: IocFileOut },
      async handle({ c, params }) {
        const file = await store.getIocFile(params["id"] ?? "");
        if (file === undefined) throw notFound("IOC file", params["id"] ?? "");
        return c.json(file);
      },
    }),
    route({
      method: "get",
      path: "/ioc-files/:id/content",
      access: "viewer",
      summary: "Download an IOC file's bytes",
      response: { status: 200, contentType: "application/xml" },
      async handle({ c, params }) {
        const content = await store.getIocFileContent(params["id"] ?? "");
        if (content === undefined) throw notFound("IOC file", params["id"] ?? "");
        return c.body(new Uint8Array(content), 200, { "Content-Type": "application/xml" });
      },
    }),
    route({
      method: "get",
      path: "/ioc-files/:id/tree",
      access: "viewer",
      summary: "An IOC file's indicator tree (AND/OR indicators and items) for the console's IOC viewer",
      response: { status: 200, schema: IocTreeOut },
      async handle({ c, params }) {
        const id = params["id"] ?? "";
        const content = await store.getIocFileContent(id);
        if (content === undefined) throw notFound("IOC file", id);
        const tree = iocTreeOf(new Uint8Array(content));
        if (tree === undefined) throw new HttpError(422, "unreadable-ioc-file", `IOC file "${id}" has no readable indicator tree`);
        return c.json(tree);
      },
    }),
    route({
      method: "delete",
      path: "/ioc-files/:id",
      access: "operator",
      summary: "Delete an IOC file no task uses",
      response: { status: 204 },
      async handle({ c, params, user }) {
        const id = params["id"] ?? "";
        const outcome = await store.deleteIocFile(id, `user:${user?.name ?? ""}`);
        if (outcome === "not-found") throw notFound("IOC file", id);
        if (outcome === "in-use") throw new HttpError(409, "in-use", `IOC file "${id}" is used by a task`);
        return c.body(null, 204);
      },
    }),
  ];
}
