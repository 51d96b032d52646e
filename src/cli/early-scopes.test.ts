/**
 * What the launcher reads of a scan's command line before the CLI loads (early-scopes.ts): the
 * scopes of a plain scan of this computer, and nothing for any command line it does not fully
 * know. Its tables of options are held to the scan command's own.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerScanCommand } from "./commands/scan.js";
import { earlyScanScopes, SCAN_FLAGS, SCAN_VALUE_OPTIONS } from "./early-scopes.js";

describe("earlyScanScopes", () => {
  it("knows every option of `iocscan scan`, and whether it takes a value, as the scan command defines them", () => {
    const program = new Command("iocscan");
    registerScanCommand(program, { exitCode: 0 });
    const scan = program.commands.find((command) => command.name() === "scan");
    const options = scan?.options ?? [];
    expect(options.length).toBeGreaterThan(20);
    const takesValue = options.filter((o) => o.required).map((o) => o.long);
    const noValue = options.filter((o) => !o.required).map((o) => o.long);
    expect(new Set(takesValue)).toEqual(SCAN_VALUE_OPTIONS);
    // --help is commander's own; --resume takes an id or nothing (and is never streamed early).
    expect(new Set([...noValue, "--help"])).toEqual(SCAN_FLAGS);
  });

  it("returns the absolute scopes of a plain scan, nested ones folded into the outer", () => {
    const argv = ["scan", "--ioc", "iocs", "--scope", "tree", "--scope=/srv/", "--scope", "/srv/www", "--format", "json", "--no-hash-cache", "--processes", "off", "--files=on"];
    expect(earlyScanScopes(argv, "/home/me")).toEqual(["/home/me/tree", "/srv"]);
    // A value that starts with dashes is still the option's value, as the CLI reads it.
    expect(earlyScanScopes(["scan", "--scope", "--odd"], "/w")).toEqual(["/w/--odd"]);
    // A folder whose name is not UTF-8, in its text form: listed by its bytes (memory form), as the scan reads it.
    expect(earlyScanScopes(["scan", "--scope", "/srv/d\\xE9ir"], "/w")).toEqual(["/srv/d\udce9ir"]);
  });

  it("returns nothing for a scan that does not stream its scopes at once, or a command line it does not fully know", () => {
    const plain = ["scan", "--ioc", "iocs", "--scope", "/srv"];
    for (const extra of [
      ["--exclude", "/srv/cache"],
      ["--hint", "\\.exe$"],
      ["--root", "/mnt/image"],
      ["--resume"],
      ["--snapshot", "host.json"],
      ["--idle-only"],
      ["--max-cpu=25"],
      ["--files", "off"],
      ["--help"],
      ["-h"],
      ["--bogus"],
      ["--no-db=yes"],
      ["operand"],
      ["--", "/etc"],
      ["--db"],
    ]) {
      expect(earlyScanScopes([...plain, ...extra], "/w"), extra.join(" ")).toBeUndefined();
    }
    expect(earlyScanScopes(["scan", "--ioc", "iocs"], "/w")).toBeUndefined();
    // "--scope" here is the value of --ioc: no scope is named.
    expect(earlyScanScopes(["scan", "--ioc", "--scope"], "/w")).toBeUndefined();
    expect(earlyScanScopes(["collect", "--scope", "/srv"], "/w")).toBeUndefined();
  });
});
