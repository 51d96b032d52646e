/**
 * What the scan runner keeps in a checkpoint so that an interrupted scan (paused, killed, the
 * machine rebooted) continues where it stopped: never the records, only what they established
 * (the evaluation state), where the walk stands, and the counters and warnings so far.
 *
 * @module
 */
import type { WalkPosition } from "../../collectors/file/index.js";
import type { EvaluationState } from "../../core/evaluate/index.js";
import type { ReportWarning } from "../../core/report/index.js";

/** The runner's part of a checkpoint (the caller adds the settings to rebuild the scan with). */
export interface RunnerState {
  readonly scanId: string;
  readonly startedAt: string;
  /** `collecting`: records are still coming; `responding`: collection is complete, actions may be under way. */
  readonly phase: "collecting" | "responding";
  /** Documents whose collector finished: not collected again. */
  readonly collectorsDone: readonly string[];
  /** The FileItem walk's position, when the checkpoint was taken in the middle of it. */
  readonly file?: WalkPosition;
  readonly evaluation: EvaluationState;
  readonly stats: Readonly<Record<string, number>>;
  readonly warnings: {
    readonly kept: readonly ReportWarning[];
    readonly dropped: readonly (readonly [string, number])[];
    readonly total: number;
  };
  /** Fingerprint of the compiled plan: a checkpoint is only valid for the same IOCs. */
  readonly plan: string;
}

/** How the runner checkpoints: where states go and how often. */
export interface Checkpointing {
  /** Persists a state durably (the runner waits for it). */
  save(state: RunnerState): Promise<void>;
  /** Longest time between two checkpoints while collecting (default 15 s: at most that much work is repeated). */
  readonly intervalMs?: number;
  /** Continue from this state instead of starting afresh. */
  readonly resumeFrom?: RunnerState;
}

/**
 * Decides when a scan may work: an idle-only scan pauses while the computer is in use. The runner
 * asks between records, so it must answer at once.
 */
export interface WorkGate {
  /** True when the scan should stop issuing work now. */
  mustPause(): boolean;
  /** Resolves when work may go on (a checkpoint is written before waiting); rejects on abort. */
  waitToContinue(signal?: AbortSignal): Promise<void>;
  /** Why the scan is waiting, for progress and the report ("session locked: no; ..."). */
  describe(): string;
}
