/**
 * A fixture host root under the temp folder for collector tests: a tiny Debian-like /etc, a
 * crontab set, systemd units and a kernel-module tree, so `--root` collectors read known data.
 *
 * @module
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A fixture root: its folder, a writer for more files, and a remover. */
export interface FixtureRoot {
  readonly root: string;
  file(hostPath: string, text: string): Promise<void>;
  link(hostPath: string, target: string): Promise<void>;
  remove(): Promise<void>;
}

/** Creates an empty fixture root under os.tmpdir(). */
export async function createFixtureRoot(prefix: string): Promise<FixtureRoot> {
  const root = await mkdtemp(join(tmpdir(), `iocscan-${prefix}-`));
  const under = (hostPath: string): string => join(root, hostPath);
  return {
    root,
    async file(hostPath, text) {
      await mkdir(dirname(under(hostPath)), { recursive: true });
      await writeFile(under(hostPath), text);
    },
    async link(hostPath, target) {
      await mkdir(dirname(under(hostPath)), { recursive: true });
      await symlink(target, under(hostPath));
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

export const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# a comment line
alice:x:1000:1000:Alice Example,Room 1,,:/home/alice:/bin/zsh
mallory:x:0:0::/tmp/.m:/bin/sh
broken line
`;

export const GROUP = `root:x:0:
daemon:x:1:
sudo:x:27:alice,mallory
alice:x:1000:
docker:x:999:alice
`;
