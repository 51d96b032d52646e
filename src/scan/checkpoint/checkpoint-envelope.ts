/**
 * The shape a checkpoint file must have to be resumed, checked on read. Its own module so that a
 * scan, which only writes checkpoints, does not load the schema library at start-up.
 *
 * @module
 */
import { z } from "zod";
import { SCAN_ID } from "./checkpoint-file.js";

export const Envelope = z.object({
  format: z.literal("iocscan-scan-checkpoint"),
  version: z.literal(1),
  savedAt: z.string(),
  // Every setting is checked: a resumed scan acts on what they say.
  settings: z.looseObject({
    iocPaths: z.array(z.string()).min(1),
    root: z.string(),
    scopes: z.array(z.string()),
    excludes: z.array(z.string()),
    hint: z.object({ source: z.string(), flags: z.string() }).optional(),
    crossMounts: z.boolean(),
    maxHashBytes: z.number().optional(),
    switches: z.record(z.string(), z.enum(["on", "off"])),
    mapEvents: z.boolean(),
    mapNetworkTerms: z.boolean(),
    criticalAreas: z.boolean(),
    clamavDatabase: z.string().optional(),
    action: z.enum(["report", "quarantine"]),
    quarantineDir: z.string().optional(),
    protect: z.array(z.string()),
    hashCacheFile: z.string().optional(),
    idleOnly: z.boolean(),
    maxCpu: z.number().optional(),
  }),
  runner: z.looseObject({
    scanId: z.string().regex(SCAN_ID),
    startedAt: z.string(),
    phase: z.enum(["collecting", "responding"]),
    collectorsDone: z.array(z.string()),
    evaluation: z.looseObject({ format: z.literal("iocscan-evaluation-state") }),
    plan: z.string(),
  }),
});
