/**
 * Routes as data: each route declares its method, path, who may call it, and the zod schemas of
 * its input and output. One table drives the Hono router, authentication, CSRF checks, input
 * validation and the OpenAPI document, so none of them can forget a route.
 *
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";
import type { Device, Role, SandboxToken, User } from "../store/fleet/index.js";

/**
 * Who may call a route: nobody in particular, an enrolled device, a sandbox integration token
 * (the intake only), or a user with at least this role.
 */
export type Access = "public" | "device" | "sandbox" | Role;

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, administrator: 3 };

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** What a handler receives. */
export interface RouteInput<B, Q> {
  c: Context;
  body: B;
  query: Q;
  params: Record<string, string>;
  /** Set for user routes. */
  user: User | undefined;
  /** Set for device routes. */
  device: Device | undefined;
  /** Set for sandbox routes. */
  sandboxToken?: SandboxToken | undefined;
}

export interface RouteSpec<B = undefined, Q = undefined> {
  method: Method;
  /** Under `/api/v1`, Hono syntax (`/tasks/:id`). */
  path: string;
  access: Access;
  summary: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** The success answer's schema and status, for the OpenAPI document. */
  response?: { status: number; schema?: z.ZodType; contentType?: string };
  handle(input: RouteInput<B, Q>): Promise<Response>;
}

/** A route of any input type, as the table holds it. */
export type AnyRoute = RouteSpec<unknown, unknown>;

/** Declares a route; the generics flow from the schemas to the handler. */
export function route<B = undefined, Q = undefined>(spec: RouteSpec<B, Q>): AnyRoute {
  return spec;
}

/** True for methods that change state (and so need a CSRF token from a session). */
export const changesState = (method: Method): boolean => method !== "get";
