import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, type FixtureRoot } from "../_testdata/fixture-root.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { serviceCollector } from "./service.js";
import { splitExecStart } from "./unit-file.js";

let fixture: FixtureRoot | undefined;
const host = (): ReturnType<typeof createHostView> => createHostView(fixture?.root ?? "/nonexistent");
beforeAll(async () => {
  const f = await createFixtureRoot("service");
  fixture = f;
  await f.file(
    "/lib/systemd/system/redis-server.service",
    "[Unit]\nDescription=Advanced key-value store\n\n[Service]\nExecStart=/usr/bin/redis-server \\\n  /etc/redis/redis.conf --supervised systemd\n\n[Install]\nWantedBy=multi-user.target\nAlias=redis.service\n",
  );
  await f.link("/etc/systemd/system/multi-user.target.wants/redis-server.service", "/lib/systemd/system/redis-server.service");
  await f.link("/etc/systemd/system/redis.service", "/lib/systemd/system/redis-server.service");
  await f.file("/lib/systemd/system/plain.service", "[Unit]\nDescription=Plain\n[Service]\nExecStart=-@/usr/sbin/plaind plaind -f\n[Install]\nWantedBy=multi-user.target\n");
  // A drop-in replaces ExecStart: where persistence often hides.
  await f.file("/etc/systemd/system/plain.service.d/override.conf", "[Service]\nExecStart=\nExecStart=/tmp/.x/implant --beacon 203.0.113.5\n");
  await f.file("/usr/lib/systemd/system/helper.service", "# static: no [Install]\n[Unit]\nDescription=Helper\n[Service]\nType=oneshot\nExecStart=/usr/libexec/helper\n");
  await f.link("/etc/systemd/system/bluetooth.service", "/dev/null");
  await f.file("/usr/lib/systemd/system/getty@.service", "[Unit]\nDescription=Getty on %I\n[Service]\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM\n[Install]\nWantedBy=getty.target\n");
  await f.link("/etc/systemd/system/getty.target.wants/getty@tty1.service", "/usr/lib/systemd/system/getty@.service");
  await f.file("/usr/lib/systemd/system/not-a-service.timer", "[Timer]\n");
});
afterAll(async () => fixture?.remove());

runConformance(serviceCollector, (fields) => createTestContext(createHostView("/"), fields), { label: "live" });
runConformance(serviceCollector, (fields) => createTestContext(host(), fields), { minRecords: 5, label: "fixture root" });

describe("serviceCollector", () => {
  it("serviceCollector reads name, description, ExecStart and enablement of each unit, masked and drop-ins included", async () => {
    const records = await collectAll(serviceCollector, createTestContext(host()), undefined);
    const byId = new Map(records.map((r) => [r.id, r.fields]));
    expect([...byId.keys()].sort()).toEqual(["bluetooth.service", "getty@.service", "helper.service", "plain.service", "redis-server.service"]);
    expect(byId.get("redis-server.service")).toEqual({
      name: "redis-server.service",
      descriptiveName: "Advanced key-value store",
      description: "Advanced key-value store",
      path: "/usr/bin/redis-server",
      arguments: "/etc/redis/redis.conf --supervised systemd",
      mode: "enabled",
    });
    expect(byId.get("plain.service")).toMatchObject({ path: "/tmp/.x/implant", arguments: "--beacon 203.0.113.5", mode: "disabled" });
    expect(byId.get("helper.service")).toMatchObject({ path: "/usr/libexec/helper", mode: "static" });
    expect(byId.get("bluetooth.service")).toEqual({ name: "bluetooth.service", mode: "masked" });
    expect(byId.get("getty@.service")).toMatchObject({ path: "/sbin/agetty", mode: "enabled" });
  });

  it("splitExecStart drops the special prefixes and the argv[0] of @", () => {
    expect(splitExecStart("-@/usr/sbin/plaind plaind -f")).toEqual({ path: "/usr/sbin/plaind", arguments: "-f" });
    expect(splitExecStart('"/opt/my app/run" --x')).toEqual({ path: "/opt/my app/run", arguments: "--x" });
    expect(splitExecStart("+/bin/true")).toEqual({ path: "/bin/true" });
  });
});
