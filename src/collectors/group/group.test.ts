import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, GROUP, PASSWD, type FixtureRoot } from "../_testdata/fixture-root.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { groupCollector } from "./group.js";

let fixture: FixtureRoot | undefined;
const host = (): ReturnType<typeof createHostView> => createHostView(fixture?.root ?? "/nonexistent");
beforeAll(async () => {
  fixture = await createFixtureRoot("group");
  await fixture.file("/etc/passwd", PASSWD);
  await fixture.file("/etc/group", GROUP);
});
afterAll(async () => fixture?.remove());

runConformance(groupCollector, (fields) => createTestContext(createHostView("/"), fields), { minRecords: 1, label: "live" });
runConformance(groupCollector, (fields) => createTestContext(host(), fields), { minRecords: 5, label: "fixture root" });

describe("groupCollector", () => {
  it("groupCollector lists listed and primary members of each group", async () => {
    const records = await collectAll(groupCollector, createTestContext(host()), undefined);
    expect(records.map((r) => [r.id, r.fields["gid"], r.fields["userlist/username"]])).toEqual([
      ["root", 0, ["root", "mallory"]],
      ["daemon", 1, ["daemon"]],
      ["sudo", 27, ["alice", "mallory"]],
      ["alice", 1000, ["alice"]],
      ["docker", 999, ["alice"]],
    ]);
  });
});
