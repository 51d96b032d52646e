/**
 * The FileItem collector: walks the scopes on the scanned host (live, or an image under
 * `--root`) and yields one record per regular file that an IOC may still match.
 *
 * Field formats (record keys without `FileItem/`):
 * - FullPath: the host path (`/usr/bin/ls`, inside the image under `--root`); it is also the id.
 * - FilePath: its folder without leading or trailing separator (`usr/bin`; `""` for a file in `/`).
 * - FileName: `ls`; FileExtension: after the last dot, no dot (`gz` of `a.tar.gz`), absent when
 *   there is none (`.bashrc`, `Makefile`, `x.`).
 * - SizeInBytes: a number.
 * - Created (birth time, absent when the file system has none), Modified, Accessed, Changed
 *   (inode change): ISO 8601 UTC, `2024-05-01T10:20:30Z` or with `.123` milliseconds.
 * - Username, Group: names from the host's /etc/passwd and /etc/group, else the numeric id.
 * - Permissions: a number, the octal mode digits as `stat -c %a` prints them (755, 4755, 1777):
 *   the vocabulary types this term `int`, so the symbolic `rwxr-xr-x` could never match `is 755`.
 * - Md5sum, Sha1sum, Sha256sum: lower-case hex; only those requested, all in one read.
 * - PEInfo/PETimeStamp (ISO 8601 UTC, seconds), PEInfo/Type (`Executable` or `Dll`),
 *   PEInfo/Sections/Section/Name (array): only for files with valid PE headers.
 * - StringList/string (array): printable ASCII runs of 6+ characters from the first
 *   `stringsMaxBytes`, distinct, at most `stringsMaxCount`.
 * Content fields (digests, PE, strings) are computed only when the prefilter (or, without one,
 * the IOCs' field list) asks for them. Folder listings with their lstats, and digest-only reads,
 * run in batches on up to `concurrency` worker threads, never more than the cores (file-workers.ts); reads that also need PE
 * headers or strings run on the thread pool.
 *
 * Stats counted: filesSeen, filesHashed, bytesHashed, hashCacheHits, dirsSeen, dirsExcluded,
 * dirsRevisited, mountsSkipped, pseudoMountsSkipped, symlinksSkipped, filesNotRegular,
 * filesSkippedByPrefilter, filesTooLarge, warnings. Warning codes: permission-denied, vanished,
 * not-found, symlink-loop, not-regular, pseudo-fs, too-large, read-error.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { defineCollector } from "../define.js";
import { collectFiles } from "./collect.js";
import type { FileCollectorOptions } from "./options.js";

export const fileCollector = defineCollector<FileCollectorOptions>({
  name: "file",
  document: "FileItem",
  platforms: ["linux"],
  liveOnly: false,
  fields: LINUX_COLLECTED["FileItem"] ?? [],
  permission: "fs.read",
  description: "Walks the scoped folders (lstat, no links followed, no pseudo file systems) and reads file contents only for requested digests, PE headers and strings.",
  collect: collectFiles,
});
