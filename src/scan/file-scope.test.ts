import { describe, expect, it } from "vitest";
import { compilePlan } from "../core/compile/index.js";
import { parseIoc } from "../core/ioc/index.js";
import { defaultFileScopes, normalizeScopes, pathsNamedByIocs } from "./file-scope.js";

function planOf(items: string): ReturnType<typeof compilePlan> {
  const { document } = parseIoc(`<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="s"><definition><Indicator operator="OR" id="t">${items}</Indicator></definition></ioc>`);
  if (!document) throw new Error("test IOC did not parse");
  return compilePlan([{ file: "s.ioc", document }]);
}

function item(search: string, condition: string, value: string): string {
  return `<IndicatorItem id="i" condition="${condition}"><Context document="FileItem" search="${search}" type="mir"/><Content type="string">${value}</Content></IndicatorItem>`;
}

describe("file scopes", () => {
  it("pathsNamedByIocs takes the folders of absolute FullPath and FilePath items, not negated or Windows ones", () => {
    const plan = planOf(
      item("FileItem/FullPath", "is", "/opt/app/bin/evil") +
        item("FileItem/FullPath", "starts-with", "/srv/www/") +
        item("FileItem/FilePath", "is", "var/lib/evil") +
        item("FileItem/FilePath", "is", "Windows\\System32") +
        item("FileItem/FullPath", "contains", "/usr/share/x") +
        item("FileItem/FullPath", "isnot", "/etc/not-this"),
    );
    expect(pathsNamedByIocs(plan)).toEqual(["/opt/app/bin", "/srv/www", "/var/lib/evil"]);
  });

  it("normalizeScopes drops duplicates and folders inside another scope", () => {
    expect(normalizeScopes(["/etc/systemd", "/etc", "/tmp/", "/tmp", "/usr/lib", "/usr/lib64"])).toEqual(["/etc", "/tmp", "/usr/lib", "/usr/lib64"]);
    expect(normalizeScopes(["/", "/etc"])).toEqual(["/"]);
  });

  it("defaultFileScopes holds the critical areas and the IOC's own folders", () => {
    const scopes = defaultFileScopes(planOf(item("FileItem/FullPath", "is", "/opt/app/evil")));
    expect(scopes).toEqual(expect.arrayContaining(["/etc", "/tmp", "/dev/shm", "/home", "/root", "/opt/app"]));
    expect(scopes).not.toContain("/lib/systemd");
  });
});
