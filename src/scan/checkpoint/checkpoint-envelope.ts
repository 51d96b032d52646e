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
  settings: z.looseObject({ iocPaths: z.array(z.string()).min(1), root: z.string(), action: z.enum(["report", "quarantine"]) }),
  runner: z.looseObject({
    scanId: z.string().regex(SCAN_ID),
    startedAt: z.string(),
    phase: z.enum(["collecting", "responding"]),
    collectorsDone: z.array(z.string()),
    evaluation: z.looseObject({ format: z.literal("iocscan-evaluation-state") }),
    plan: z.string(),
  }),
});
