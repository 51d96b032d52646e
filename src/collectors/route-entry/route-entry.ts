/**
 * RouteEntryItem from /proc/net/route and /proc/net/ipv6_route: the kernel's routing tables.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { readHostText } from "../_shared/read.js";
import { createIdGuard, toRecord } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";
import { parseIpv4Routes, parseIpv6Routes } from "./parse-route.js";

/** The RouteEntryItem collector. */
export const routeEntryCollector = defineCollector({
  name: "route-entry",
  document: "RouteEntryItem",
  platforms: ["linux"],
  liveOnly: true,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["RouteEntryItem"] ?? [],
  permission: "net.read",
  description: "IPv4 and IPv6 routes from /proc/net/route and /proc/net/ipv6_route",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const [v4, v6] = await Promise.all([readHostText(context, "/proc/net/route"), readHostText(context, "/proc/net/ipv6_route")]);
    const routes = [...(v4 === undefined ? [] : parseIpv4Routes(v4)), ...(v6 === undefined ? [] : parseIpv6Routes(v6))];
    const guard = createIdGuard();
    for (const [i, fields] of routes.entries()) {
      if (context.signal?.aborted === true) return;
      yield guard(toRecord("RouteEntryItem", fields, `route ${i + 1}`));
    }
  },
});
