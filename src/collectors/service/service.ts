/**
 * ServiceItem from systemd unit files of the host view (no systemctl, so it works on an image):
 * name, Description, the program and arguments of ExecStart, and the unit-file state as mode.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { readHostText } from "../_shared/read.js";
import { toRecord } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";
import { listDropIns, listEnabledUnits, listServiceUnits, locateUnit } from "./unit-dirs.js";
import { applyUnitText, emptySettings, splitExecStart } from "./unit-file.js";

/** The ServiceItem collector. */
export const serviceCollector = defineCollector({
  name: "service",
  document: "ServiceItem",
  platforms: ["linux"],
  liveOnly: false,
  // `status` (ActiveState) needs the running systemd, so it is not collected.
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["ServiceItem"] ?? [],
  permission: "fs.read",
  description: "systemd service units from /etc, /run, /lib and /usr/lib systemd/system, with drop-ins and enablement links",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const units = await listServiceUnits(context);
    const enabled = await listEnabledUnits(context);
    for (const [name, dir] of units) {
      if (context.signal?.aborted === true) return;
      const location = await locateUnit(context, dir, name);
      if (location.kind === "alias") continue;
      if (location.kind === "masked") {
        yield toRecord("ServiceItem", { name, mode: "masked" }, name);
        continue;
      }
      const text = await readHostText(context, location.path);
      if (text === undefined) continue;
      const settings = emptySettings();
      applyUnitText(settings, text);
      for (const dropIn of await listDropIns(context, name)) {
        const extra = await readHostText(context, dropIn);
        if (extra !== undefined) applyUnitText(settings, extra);
      }
      const exec = settings.execStart[0] === undefined ? undefined : splitExecStart(settings.execStart[0]);
      const mode = enabled.has(name) ? "enabled" : settings.hasInstall ? "disabled" : "static";
      yield toRecord(
        "ServiceItem",
        {
          name,
          descriptiveName: settings.description,
          description: settings.description,
          path: exec?.path,
          arguments: exec?.arguments,
          mode,
        },
        name,
      );
    }
  },
});
