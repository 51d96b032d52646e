/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod 4's
 * `z.toJSONSchema`), so that it lists every route the server answers. `x-iocscan-access` names
 * who may call each operation: public, device, sandbox, or the least user role.
 *
 * @module
 */
import { z } from "zod";
import { API_PREFIX } from "./mount.js";
import type { AnyRoute } from "./route.js";

const ERROR = {
  type: "object",
  properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" }, details: {} }, required: ["code", "message"] } },
  required: ["error"],
};

const schemaOf = (schema: z.ZodType, io: "input" | "output"): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

/** The document for `routes`. */
export function buildOpenApi(routes: readonly AnyRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = `${API_PREFIX}${r.path}`.replace(/:(\w+)/g, "{$1}");
    const parameters: unknown[] = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    if (r.query !== undefined) {
      const query = schemaOf(r.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema });
      }
    }
    const ok = r.response ?? { status: 200 };
    const content = ok.schema !== undefined ? { [ok.contentType ?? "application/json"]: { schema: schemaOf(ok.schema, "output") } } : ok.contentType !== undefined ? { [ok.contentType]: {} } : undefined;
    const security = r.access === "public" ? [] : r.access === "device" ? [{ device: [] }] : r.access === "sandbox" ? [{ sandbox: [] }] : [{ session: [] }];
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      operationId: `${r.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? "").toUpperCase())}`,
      "x-iocscan-access": r.access,
      security,
      parameters,
      ...(r.body === undefined ? {} : { requestBody: { required: true, content: { "application/json": { schema: schemaOf(r.body, "input") } } } }),
      responses: {
        [String(ok.status)]: { description: "Success", ...(content === undefined ? {} : { content }) },
        default: { description: "Error", content: { "application/json": { schema: ERROR } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "iocscan management server", version },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "iocscan_session", description: "From POST /api/v1/auth/login; changes also need the X-CSRF-Token header" },
        device: { type: "http", scheme: "bearer", description: "<deviceId>.<secret> from POST /api/v1/agent/enroll" },
        sandbox: { type: "http", scheme: "bearer", description: "A sandbox integration token from POST /api/v1/sandbox/tokens; accepted by the intake only" },
      },
    },
    paths,
  };
}
