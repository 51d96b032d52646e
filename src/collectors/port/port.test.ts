import { realpath } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSocketTable } from "../_shared/proc-net.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { portCollector } from "./port.js";

const live = createHostView("/");
runConformance(portCollector, (fields) => createTestContext(live, fields), { minRecords: 1 });

describe("portCollector on this computer", () => {
  let server: Server | undefined;
  let port = 0;
  beforeAll(async () => {
    const listening = createServer();
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    const address = listening.address();
    port = typeof address === "object" && address !== null ? address.port : 0;
  });
  afterAll(async () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("portCollector finds this process's loopback listener with its pid, name, path and state", async () => {
    const context = createTestContext(live, portCollector.fields);
    const records = await collectAll(portCollector, context, undefined);
    const id = `TCP 127.0.0.1:${port} 0.0.0.0:0`;
    const record = records.find((r) => r.id === id);
    expect(record?.fields).toEqual({
      protocol: "TCP",
      localIP: "127.0.0.1",
      localPort: port,
      remoteIP: "0.0.0.0",
      remotePort: 0,
      state: "LISTEN",
      pid: process.pid,
      process: "node",
      path: await realpath(process.execPath),
    });
    expect(context.counts.get("portsSeen")).toBe(records.length);
  });

  it("portCollector reads no process when no owner field is requested", async () => {
    const records = await collectAll(portCollector, createTestContext(live, ["localPort"]), undefined);
    const record = records.find((r) => r.fields["localPort"] === port);
    expect(record?.fields["pid"]).toBeUndefined();
  });
});

describe("parseSocketTable", () => {
  it("parseSocketTable decodes little-endian IPv4, IPv6 and IPv4-mapped addresses and states", () => {
    const tcp6 = [
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6408 1",
      "   1: 0000000000000000FFFF00000100007F:A2C4 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 7001 1",
      "   2: B80D0120000000000000000001000000:0016 000080FE00000000FF000000020000FE:D431 06 00000000:00000000 00:00000000 00000000     0        0 0 1",
    ].join("\n");
    const rows = parseSocketTable(tcp6, "TCP");
    expect(rows.map((r) => `${r.localIP}:${r.localPort} ${r.remoteIP}:${r.remotePort} ${r.state} ${r.inode} ${r.uid}`)).toEqual([
      "::1:8080 :::0 LISTEN 6408 0",
      "::ffff:127.0.0.1:41668 ::ffff:127.0.0.1:8080 ESTABLISHED 7001 1000",
      "2001:db8::1:22 fe80::ff:fe00:2:54321 TIME_WAIT 0 0",
    ]);
    const udp = "  sl  local_address rem_address   st\n  5: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 9001 2\n";
    expect(parseSocketTable(udp, "UDP")).toEqual([
      { protocol: "UDP", localIP: "127.0.0.1", localPort: 53, remoteIP: "0.0.0.0", remotePort: 0, state: "UNCONN", inode: 9001, uid: 101 },
    ]);
  });
});
