/**
 * The per-document switches of `iocscan scan` and `iocscan collect` (`--files on|off`, ...).
 * Absent = collect only what the loaded IOCs use.
 *
 * @module
 */
import { Option, type Command } from "commander";
import type { DocumentSwitches } from "../scan/collection.js";

/** Flag name → OpenIOC document. */
export const DOCUMENT_FLAGS: Readonly<Record<string, string>> = {
  files: "FileItem",
  processes: "ProcessItem",
  ports: "PortItem",
  arp: "ArpEntryItem",
  routes: "RouteEntryItem",
  system: "SystemInfoItem",
  users: "UserItem",
  groups: "GroupItem",
  volumes: "VolumeItem",
  modules: "ModuleItem",
  services: "ServiceItem",
  tasks: "TaskItem",
  dns: "DnsEntryItem",
};

/** Adds `--files on|off` and its siblings to a command. */
export function addDocumentSwitches(command: Command): Command {
  for (const [flag, document] of Object.entries(DOCUMENT_FLAGS)) {
    command.addOption(new Option(`--${flag} <on|off>`, `collect ${document} records or not`).choices(["on", "off"]));
  }
  return command;
}

/** The switches the user gave, keyed by document. */
export function documentSwitches(flags: Readonly<Record<string, unknown>>): DocumentSwitches {
  const switches: Record<string, "on" | "off"> = {};
  for (const [flag, document] of Object.entries(DOCUMENT_FLAGS)) {
    const value = flags[flag];
    if (value === "on" || value === "off") switches[document] = value;
  }
  return switches;
}
