/**
 * `iocscan collect`: writes a host snapshot (DESIGN.md section 5) of the selected documents, for
 * evaluation elsewhere ("collect once, evaluate many"). Records are streamed to the output, one
 * per line, so a million files never sit in memory; the file appears only when complete.
 *
 * @module
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { hostname as machineHostname } from "node:os";
import type { Writable } from "node:stream";
import type { CollectorWarning } from "../collectors/types.js";
import { createHostView } from "../collectors/host-view.js";
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, UNKNOWN_FIELDS_KEY } from "../core/report/index.js";
import { chooseCollectors, type DocumentSwitches } from "./collection.js";
import { LINUX_CRITICAL_AREAS, normalizeScopes } from "./file-scope.js";
import type { LiveScanDependencies } from "./live-scan.js";
import { readOsName } from "./os-name.js";
import type { FileScanSettings } from "./scan-types.js";

/** Digest algorithms by FileItem field. */
const HASH_FIELDS = { md5: "Md5sum", sha1: "Sha1sum", sha256: "Sha256sum" } as const;
const ALL_HASH_FIELDS: ReadonlySet<string> = new Set(Object.values(HASH_FIELDS));

/** Options of {@link collectSnapshot}. */
export interface CollectOptions extends FileScanSettings {
  /** The host's `/` on this machine; default "/" (this computer). */
  readonly root?: string;
  readonly switches?: DocumentSwitches;
  /** Digests computed for every file (default all three). */
  readonly hashes?: readonly (keyof typeof HASH_FIELDS)[];
  /** Collect printable strings of files (FileItem/StringList/string); off by default. */
  readonly strings?: boolean;
  /** Output file; undefined = standard output. */
  readonly out?: string;
  readonly onWarning?: (warning: CollectorWarning & { document: string }) => void;
  /** Stops the collection (Ctrl-C): nothing is written, the partial output file is removed. */
  readonly signal?: AbortSignal;
}

/** A collection stopped by its signal: no snapshot was written. */
export class CollectInterruptedError extends Error {
  override readonly name = "CollectInterruptedError";
}

/** What a collection produced. */
export interface CollectSummary {
  readonly documents: string[];
  readonly records: number;
  readonly warnings: number;
  readonly stats: Record<string, number>;
}

/** Collects the selected documents and writes the snapshot. */
export async function collectSnapshot(options: CollectOptions, dependencies: LiveScanDependencies): Promise<CollectSummary> {
  const host = createHostView(options.root ?? "/");
  const { run } = chooseCollectors(dependencies.collectors, host, options.switches ?? {}, undefined);
  const wanted = new Set<string>((options.hashes ?? ["md5", "sha1", "sha256"]).map((h) => HASH_FIELDS[h]));
  const stats: Record<string, number> = {};
  let records = 0;
  let warnings = 0;

  const temporary = options.out ? `${options.out}.${process.pid}.partial` : undefined;
  const output: Writable = temporary ? createWriteStream(temporary, { mode: 0o600 }) : process.stdout;
  // A write that fails (no such folder, disk full) is thrown by the next write, not left as an
  // "error" event nobody listens to, which ended the process.
  let failed: Error | undefined;
  if (temporary) output.on("error", (error) => (failed ??= error));
  const write = async (text: string): Promise<void> => {
    if (failed !== undefined) throw failed;
    if (!output.write(text)) await once(output, "drain");
  };

  try {
    // Opened before anything is collected: a file that cannot be made fails the command at once.
    if (temporary) await once(output, "open").catch((error: unknown) => {
      throw new Error(`cannot write the snapshot to "${options.out}": ${error instanceof Error ? error.message : String(error)}`);
    });
    const header = {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      host: { hostname: host.live ? machineHostname() : "", os: await readOsName(host), root: host.root },
      collectedAt: new Date().toISOString(),
    };
    await write(`${JSON.stringify(header).slice(0, -1)},\n"records": {`);
    const settings = { ...options, scopes: normalizeScopes(options.scopes?.length ? options.scopes : LINUX_CRITICAL_AREAS) };
    let firstDocument = true;
    for (const { collector } of run) {
      const fields = collector.fields.filter((field) => {
        if (ALL_HASH_FIELDS.has(field)) return wanted.has(field);
        return field !== "StringList/string" || options.strings === true;
      });
      const context = {
        host,
        fields: new Set(fields),
        warn: (warning: CollectorWarning) => {
          warnings++;
          options.onWarning?.({ ...warning, document: collector.document });
        },
        count: (stat: string, by = 1) => {
          stats[stat] = (stats[stat] ?? 0) + by;
        },
        ...(options.signal ? { signal: options.signal } : {}),
      };
      await write(`${firstDocument ? "" : ","}\n${JSON.stringify(collector.document)}: [`);
      firstDocument = false;
      let firstRecord = true;
      for await (const record of collector.collect(context, dependencies.optionsFor(collector.document, settings))) {
        // Fields the collector could not compute go under "@unknown" (see core/report/snapshot.ts).
        const json = record.unknownFields !== undefined && record.unknownFields.length > 0 ? { ...record.fields, [UNKNOWN_FIELDS_KEY]: record.unknownFields } : record.fields;
        await write(`${firstRecord ? "" : ","}\n  ${JSON.stringify(json)}`);
        firstRecord = false;
        records++;
      }
      // A collector stops early when the signal comes: what it gave is not the whole document.
      if (options.signal?.aborted === true) throw new CollectInterruptedError(temporary ? `collection stopped; nothing written to "${options.out}"` : "collection stopped; the snapshot on standard output is incomplete");
      await write("\n]");
    }
    await write("\n}}\n");
    if (temporary && options.out) {
      output.end();
      await once(output, "finish");
      if (failed !== undefined) throw failed;
      await rename(temporary, options.out);
    }
  } catch (error) {
    if (temporary) {
      output.destroy();
      await rm(temporary, { force: true });
    }
    throw error;
  }
  return { documents: run.map((c) => c.collector.document), records, warnings, stats };
}
