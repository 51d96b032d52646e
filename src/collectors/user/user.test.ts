import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, GROUP, PASSWD, type FixtureRoot } from "../_testdata/fixture-root.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { userCollector } from "./user.js";

let fixture: FixtureRoot | undefined;
const host = (): ReturnType<typeof createHostView> => createHostView(fixture?.root ?? "/nonexistent");
beforeAll(async () => {
  fixture = await createFixtureRoot("user");
  await fixture.file("/etc/passwd", PASSWD);
  await fixture.file("/etc/group", GROUP);
});
afterAll(async () => fixture?.remove());

runConformance(userCollector, (fields) => createTestContext(createHostView("/"), fields), { minRecords: 1, label: "live" });
runConformance(userCollector, (fields) => createTestContext(host(), fields), { minRecords: 4, label: "fixture root" });

describe("userCollector", () => {
  it("userCollector reads each account with its full name, home, shell and groups", async () => {
    const records = await collectAll(userCollector, createTestContext(host()), undefined);
    expect(records.map((r) => r.id)).toEqual(["root", "daemon", "alice", "mallory"]);
    expect(records[2]?.fields).toEqual({
      Username: "alice",
      userid: 1000,
      fullname: "Alice Example",
      homedirectory: "/home/alice",
      shell: "/bin/zsh",
      "grouplist/groupname": ["alice", "sudo", "docker"],
    });
    expect(records[3]?.fields).toEqual({
      Username: "mallory",
      userid: 0,
      homedirectory: "/tmp/.m",
      shell: "/bin/sh",
      "grouplist/groupname": ["root", "sudo"],
    });
  });

  it("userCollector yields nothing and warns nothing when the image has no /etc/passwd", async () => {
    const context = createTestContext(createHostView(`${fixture?.root ?? ""}/etc`));
    expect(await collectAll(userCollector, context, undefined)).toEqual([]);
    expect(context.warnings).toEqual([]);
  });
});
