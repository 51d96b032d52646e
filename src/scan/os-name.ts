/**
 * The operating system's name for reports: PRETTY_NAME of the host's os-release, else the kernel.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { release, type } from "node:os";
import { diskPathOf } from "../collectors/host-view.js";
import type { HostView } from "../collectors/types.js";

/** "Debian GNU/Linux 12 (bookworm)", or "Linux 6.1.0" when os-release is unreadable. */
export async function readOsName(host: HostView): Promise<string> {
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    // Links inside an image resolve inside it: /etc/os-release -> /usr/lib/os-release.
    const text = await diskPathOf(host, path).then((disk) => readFile(disk, "utf8")).catch(() => undefined);
    const pretty = text ? /^PRETTY_NAME=("?)(.*)\1$/m.exec(text)?.[2] : undefined;
    if (pretty) return pretty;
  }
  return host.live ? `${type()} ${release()}` : "";
}
