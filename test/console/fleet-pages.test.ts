/**
 * The console's fleet pages end to end in headless Chromium, against a real `iocscan server` and
 * a real `iocscan agent` on loopback, everything in a temp folder made here: a file planted in the
 * agent's tree is quarantined by a task; the Quarantine page restores it (checked on disk, with
 * its content); the IOC viewer highlights the item that matched with the observed value; the IOC
 * files page shows an unusable upload's line and column; the devices page moves a device; an
 * administrator creates a user; a viewer does not see the administration pages. No console
 * errors anywhere, and the pages fit 1280x800 and 1920x1080. Screenshots go to docs/screenshots with IOCSCAN_SCREENSHOTS=1.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- the test reads the API's JSON answers freely */
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEntries, openQuarantine } from "../../src/actions/quarantine/index.js";
import { startIocscan } from "../cli/run-cli.js";
import { ApiClient, buildConsole, collectErrors, fitsWidth, launchChromium, screenshot, signIn, SKIP_REASON, startServerProcess, stopAll, until } from "./support.js";

const PASSWORD = "console fleet pages 2026";
const EVIL = "console planted implant\n";
const MD5 = createHash("md5").update(EVIL).digest("hex");
const IOC = `<?xml version="1.0" encoding="utf-8"?>
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="console-e2e">
  <metadata><short_description>Console planted implant</short_description></metadata>
  <criteria>
    <Indicator id="top" operator="OR">
      <IndicatorItem id="by-md5" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">${MD5}</Content></IndicatorItem>
      <Indicator id="named" operator="AND">
        <IndicatorItem id="by-name" condition="is"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">never-this-name.bin</Content></IndicatorItem>
        <IndicatorItem id="by-size" condition="greater-than"><Context document="FileItem" search="FileItem/SizeInBytes" type="mir"/><Content type="int">1000000</Content></IndicatorItem>
      </Indicator>
    </Indicator>
  </criteria>
</OpenIOC>`;

let work: string;
let server: ChildProcess | undefined;
let agent: ChildProcess | undefined;
let url: string;
let browser: Browser | undefined;
let errors: string[];
let newPage: (viewport?: { width: number; height: number }) => Promise<Page>;
let page: Page;
const api = (): ApiClient => admin;
const nav = () => page.getByRole("navigation", { name: "Main" });
let admin: ApiClient;
let planted: string;
let deviceId: string;
let labGroupId: string;
let storeDir: string;
/** Runs a new group task with the quarantine action until its run finishes; answers its id. */
let quarantineTask: (name: string) => Promise<string>;
let detection: { iocId: string; taskId: string; deviceId: string; document: string; objectId: string; matchedItems: string[] };

describe.skipIf(SKIP_REASON !== undefined)(`console fleet pages in Chromium${SKIP_REASON === undefined ? "" : ` (skipped: ${SKIP_REASON})`}`, () => {
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "iocscan-console2-"));
  const consoleDir = join(work, "web");
  await buildConsole(consoleDir);
  ({ child: server, url } = await startServerProcess(join(work, "server"), consoleDir, { name: "admin", password: PASSWORD }));
  admin = new ApiClient(url);
  expect((await api().call("POST", "/auth/login", { name: "admin", password: PASSWORD })).status).toBe(200);

  // One device with a planted file in its tree, enrolled into "Servers"; "Lab" is where it moves.
  const servers = await api().call("POST", "/groups", { name: "Servers", parentId: "root" });
  labGroupId = (await api().call("POST", "/groups", { name: "Lab", parentId: "root" })).json.id;
  const token = await api().call("POST", "/enrollment-tokens", { groupId: servers.json.id });
  const dir = join(work, "device");
  mkdirSync(join(dir, "tree", "sub"), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(dir, "tree", `ordinary-${i}.txt`), `ordinary ${i}\n`);
  planted = join(dir, "tree", "sub", "implant.bin");
  storeDir = join(dir, "quarantine");
  writeFileSync(planted, EVIL);
  agent = startIocscan(["agent", "--server", url, "--enroll", token.json.token, "--state-dir", join(dir, "state"), "--quarantine", storeDir, "--heartbeat", "2", "--poll-wait", "5"], { cwd: dir });
  deviceId = await until(async () => (await api().call("GET", `/devices?groupId=${servers.json.id}`)).json?.items?.[0]?.id as string | undefined, "the agent to enroll");

  // The task through the API (the task pages are tested elsewhere): quarantine what matches.
  const upload = await api().call("POST", "/ioc-files", { files: [{ name: "console-e2e.ioc", content: IOC }] });
  expect(upload.status).toBe(201);
  quarantineTask = async (name: string) => {
    const task = await api().call("POST", "/tasks", {
      name,
      target: { kind: "group", groupId: servers.json.id },
      iocFileIds: [upload.json.items[0].id],
      settings: { action: "quarantine", criticalAreas: false, idleOnly: false, scopes: ["tree"], excludes: [], switches: { FileItem: "on", ProcessItem: "off", PortItem: "off" } },
      runMode: "immediately",
    });
    expect(task.status, JSON.stringify(task.json)).toBe(201);
    await until(async () => {
      const runs = (await api().call("GET", `/tasks/${task.json.id}/runs`)).json?.items as { state: string }[] | undefined;
      return runs?.[0]?.state === "finished" ? true : undefined;
    }, "the run to finish");
    return task.json.id as string;
  };
  const taskId = await quarantineTask("Console quarantine");
  detection = (await api().call("GET", `/detections?taskId=${taskId}`)).json.items[0];
  expect(detection.objectId).toBe(planted);
  expect(existsSync(planted)).toBe(false);
  await until(async () => ((await api().call("GET", `/devices/${deviceId}/quarantine`)).json?.items?.length === 1 ? true : undefined), "the agent to report its quarantine");

  const launched = await launchChromium();
  browser = launched;
  errors = [];
  newPage = async (viewport = { width: 1280, height: 800 }) => {
    const opened = await (await launched.newContext({ viewport })).newPage();
    // One list for every page of the run, checked by the last test.
    collectErrors(opened, errors);
    return opened;
  };
  page = await newPage();
  await signIn(page, url, "admin", PASSWORD);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stopAll([agent, server]);
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
}, 60_000);

  it("Quarantine: Restore is sent to the agent, its command comes back done, and the file is back on disk", async () => {
    const hostname = (await api().call("GET", `/devices/${deviceId}`)).json.hostname as string;
    await nav().getByRole("link", { name: "Quarantine" }).click();
    await page.getByRole("region", { name: "Devices" }).getByRole("button", { name: hostname }).click();
    const table = page.getByRole("table", { name: `Quarantine of ${hostname}` });
    await table.getByText(planted).waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "quarantine");
    await page.getByRole("button", { name: `Restore ${planted}` }).click();
    await page.getByText(/Restore pending…|Restore done/).first().waitFor();
    await table.getByText("Restore done").waitFor({ timeout: 60_000 });
    expect(readFileSync(planted, "utf8")).toBe(EVIL);
    const commands = (await api().call("GET", `/devices/${deviceId}/commands`)).json.items as { kind: string; status: string }[];
    expect(commands.map((c) => [c.kind, c.status])).toEqual([["quarantine-restore", "done"]]);
    await screenshot(page, "quarantine-restored");
  }, 120_000);

  it("Quarantine: Delete, confirmed in a dialog that keeps Tab inside, removes the agent's copy", async () => {
    await quarantineTask("Console quarantine again");
    expect(existsSync(planted)).toBe(false);
    const quarantined = page.locator("tr", { has: page.getByText("quarantined", { exact: true }) });
    await quarantined.first().waitFor({ timeout: 60_000 });
    await quarantined.getByRole("button", { name: `Delete ${planted}` }).click();
    const dialog = page.getByRole("dialog", { name: "Delete from quarantine" });
    await dialog.waitFor();
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement?.closest('dialog') !== null")).toBe(true);
    }
    await dialog.getByRole("button", { name: "Delete for good" }).click();
    await dialog.waitFor({ state: "detached" });
    // The entry leaves the agent's inventory; the command's result stays in the recent commands.
    const recent = page.getByRole("table", { name: "Recent commands" });
    await recent.getByText(/Delete (pending…|done|failed)/).first().waitFor();
    await until(async () => ((await api().call("GET", `/devices/${deviceId}/commands`)).json.items[0]?.status !== "pending" ? true : undefined), "the delete command's result", 60_000);
    expect((await api().call("GET", `/devices/${deviceId}/commands`)).json.items[0]).toMatchObject({ kind: "quarantine-delete", status: "done" });
    await recent.getByText("Delete done").waitFor();
    await screenshot(page, "quarantine-deleted");
    expect(existsSync(planted)).toBe(false);
    // The store keeps restored entries (marked) until purged: only the restored one of the first task is left.
    const left = await listEntries(await openQuarantine({ dir: storeDir }));
    expect(left.map((e) => [e.meta.originalPath, e.restored.length > 0])).toEqual([[planted, true]]);
  }, 180_000);

  it("IOC viewer: the detection's matched item is highlighted with its observed value; the others are not", async () => {
    expect(detection.matchedItems).toEqual(["by-md5"]);
    const params = new URLSearchParams({ iocId: detection.iocId, taskId: detection.taskId, deviceId: detection.deviceId, document: detection.document, objectId: detection.objectId });
    await page.goto(`${url}/ioc-viewer?${params.toString()}`);
    const matched = page.locator(".ioc-item.matched");
    await matched.first().waitFor();
    expect(await matched.count()).toBe(1);
    expect(await matched.getAttribute("data-item-id")).toBe("by-md5");
    expect(await matched.innerText()).toContain(`observed: ${MD5}`);
    expect(await page.locator(".ioc-item[data-item-id='by-name']").getAttribute("class")).toBe("ioc-item");
    expect(await page.getByRole("group", { name: "AND indicator named" }).count()).toBe(1);
    await page.getByText("Evidence").waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "ioc-viewer");
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await fitsWidth(page)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);

  it("IOC files: an unusable upload is refused with the file, line and column; the list shows validation and use", async () => {
    await nav().getByRole("link", { name: "IOC files", exact: true }).click();
    await page.getByRole("table", { name: "IOC files" }).getByText("console-e2e.ioc").waitFor();
    await page.getByRole("table", { name: "IOC files" }).getByText("Console quarantine", { exact: true }).waitFor();
    await page.getByLabel("IOC files to upload").setInputFiles({ name: "broken.ioc", mimeType: "application/xml", buffer: Buffer.from('<?xml version="1.0"?>\n<ioc>\n  <definition>\n') });
    const alert = page.getByRole("alert");
    await alert.getByText(/broken\.ioc:\d+:\d+/).first().waitFor();
    await screenshot(page, "ioc-files");
    // The browser logs the expected 400 as a failed resource: that one is not an error of the page.
    const expected = errors.filter((e) => e.includes("status of 400") && e.includes("/api/v1/ioc-files"));
    expect(expected).toHaveLength(1);
    errors.splice(errors.indexOf(expected[0] ?? ""), 1);
  }, 60_000);

  it("Devices: a device moves to another group", async () => {
    await nav().getByRole("link", { name: "Devices & groups", exact: true }).click();
    const table = page.getByRole("table", { name: "Devices" });
    await table.locator("tbody tr").first().getByRole("checkbox").check();
    await page.getByLabel("Move selected to").selectOption({ label: "Lab" });
    await page.getByRole("button", { name: /^Move/ }).click();
    await page.getByRole("status").getByText("Moved 1 device to Lab").waitFor();
    expect((await api().call("GET", `/devices/${deviceId}`)).json.groupId).toBe(labGroupId);
    await page.getByRole("list", { name: "Groups" }).getByRole("button", { name: "Lab", exact: true }).click();
    await table.getByText("online").waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "devices");
  }, 60_000);

  it("Enrollment tokens: the new token is shown once in a dialog that Escape closes", async () => {
    await nav().getByRole("link", { name: "Enrollment tokens", exact: true }).click();
    await page.getByRole("button", { name: "Create token" }).click();
    const dialog = page.getByRole("dialog", { name: "Enrollment token created" });
    const token = await dialog.getByTestId("new-token").innerText();
    expect(token.length).toBeGreaterThan(20);
    await screenshot(page, "enrollment-token");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    // The list reloads after the creation: wait for the new row, then check there are exactly two.
    const rows = page.getByRole("table", { name: "Enrollment tokens" }).locator("tbody tr");
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
  }, 60_000);

  it("Users: an administrator creates an administrator; the audit log filters by actor and action", async () => {
    await nav().getByRole("link", { name: "Users & roles", exact: true }).click();
    await page.getByRole("button", { name: "New user" }).click();
    const dialog = page.getByRole("dialog", { name: "New user" });
    await dialog.getByLabel("Name").fill("carol");
    await dialog.getByLabel("Role").selectOption("administrator");
    await dialog.getByLabel("Password").fill("carol's long password");
    await dialog.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("table", { name: "Users" }).getByText("carol").waitFor();
    const users = (await api().call("GET", "/users")).json.items as { name: string; role: string }[];
    expect(users.find((u) => u.name === "carol")?.role).toBe("administrator");
    await screenshot(page, "users");

    await nav().getByRole("link", { name: "Audit log", exact: true }).click();
    await page.getByPlaceholder("task.").fill("user.");
    const audit = page.getByRole("table", { name: "Audit log" });
    const userEntries = (await api().call("GET", "/audit?action=user.")).json.total as number;
    expect((await api().call("GET", "/audit")).json.total).toBeGreaterThan(userEntries);
    await until(async () => ((await audit.locator("tbody tr").count()) === userEntries ? true : undefined), "the audit log to show only user.* entries", 10_000);
    const actions = await audit.locator("tbody tr td:nth-child(3)").allInnerTexts();
    expect(actions.every((a) => a.startsWith("user."))).toBe(true);
    await audit.getByText("carol").first().waitFor();
    await screenshot(page, "audit");
  }, 60_000);

  it("a viewer sees neither the users page nor the audit log in the navigation, and the pages refuse", async () => {
    expect((await api().call("POST", "/users", { name: "vera", role: "viewer", password: "vera's long password" })).status).toBe(201);
    const viewer = await newPage();
    await signIn(viewer, url, "vera", "vera's long password");
    const nav = viewer.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Quarantine" }).waitFor();
    expect(await nav.getByRole("link", { name: "Users & roles" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Audit log" }).count()).toBe(0);
    await viewer.goto(`${url}/users`);
    await viewer.getByText("Only administrators manage users.").waitFor();
    const asViewer = new ApiClient(url);
    await asViewer.call("POST", "/auth/login", { name: "vera", password: "vera's long password" });
    expect((await asViewer.call("GET", "/users")).status).toBe(403);
  }, 60_000);

  it("Tasks: a stand-alone task from a sandbox detection shows its origin and deletion date", async () => {
    const token = (await api().call("POST", "/sandbox/tokens", { name: "console sandbox" })).json.token as string;
    const report = { format: "iocscan-sandbox-report", version: 1, sandbox: "console", reportId: "console-1", verdict: "malicious", score: 9, sample: { name: "invoice.exe", sha256: createHash("sha256").update("not on any disk").digest("hex") }, detectedOn: { deviceId } };
    const posted = await fetch(`${url}/api/v1/sandbox/detections`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ report }) });
    expect(posted.status).toBe(201);
    const task = ((await posted.json()) as { task: { id: string; name: string } }).task;
    await page.goto(`${url}/tasks`);
    const row = page.getByRole("row").filter({ hasText: task.name });
    await row.getByText("stand-alone, sandbox verdict malicious").waitFor();
    await page.goto(`${url}/tasks/${task.id}`);
    await page.getByText("Sandbox detection (generic): verdict").waitFor();
    await page.getByText(/invoice\.exe [0-9a-f]{64}/).waitFor();
    await page.getByText("Deletes on").waitFor();
    await screenshot(page, "standalone-task");
  }, 60_000);

  it("left no errors in the browser console", () => {
    expect(errors).toEqual([]);
  });
});
