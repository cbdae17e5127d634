import type { ResolvedBackup, RestoreConfig, RestoreProgress, Timestamp } from "./restore.js";
import type { FinishedState, WorkingState } from "./states.js";

/** Who caused an event. Identifiers only: never a token. */
export type Actor =
  | { readonly type: "user"; readonly id: string }
  | { readonly type: "agent"; readonly id: number }
  | { readonly type: "system"; readonly id: string };

export interface EventMetadata {
  readonly actor: Actor;
  readonly at: Timestamp;
  readonly requestId: string;
}

interface Event<Type extends string, Data> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

export type RestoreCreated = Event<
  "RestoreCreated",
  {
    readonly tenantId: string;
    readonly restoreId: number;
    readonly config: RestoreConfig;
    readonly backup: ResolvedBackup;
  }
>;
export type RestoreConfigUpdated = Event<
  "RestoreConfigUpdated",
  { readonly config: RestoreConfig; readonly backup: ResolvedBackup }
>;
/** `passwordSealed` says a sealed password was stored with the change; the value never is. */
export type RestoreStartRequested = Event<
  "RestoreStartRequested",
  { readonly passwordSealed: boolean }
>;
/** Stopped by the user before the agent took the restore. */
export type RestoreCancelled = Event<"RestoreCancelled", { readonly endedTime: Timestamp }>;
export type RestoreStopRequested = Event<"RestoreStopRequested", Record<string, never>>;
/** The agent moved the restore forward through Queued, Preparing, InProgress. */
export type RestoreProgressed = Event<"RestoreProgressed", { readonly state: WorkingState }>;
/** The agent reported new data without a change of state. */
export type RestoreProgressReported = Event<
  "RestoreProgressReported",
  { readonly progress: RestoreProgress }
>;
export type RestoreFinished = Event<
  "RestoreFinished",
  { readonly state: FinishedState; readonly progress: RestoreProgress }
>;
/** The agent confirmed the restore stopped. */
export type RestoreStopped = Event<"RestoreStopped", { readonly progress: RestoreProgress }>;

export type RestoreEvent =
  | RestoreCreated
  | RestoreConfigUpdated
  | RestoreStartRequested
  | RestoreCancelled
  | RestoreStopRequested
  | RestoreProgressed
  | RestoreProgressReported
  | RestoreFinished
  | RestoreStopped;

export type RestoreEventType = RestoreEvent["type"];

export const RESTORE_EVENT_TYPES: readonly RestoreEventType[] = [
  "RestoreCreated",
  "RestoreConfigUpdated",
  "RestoreStartRequested",
  "RestoreCancelled",
  "RestoreStopRequested",
  "RestoreProgressed",
  "RestoreProgressReported",
  "RestoreFinished",
  "RestoreStopped",
];

/** An event as a store hands it back: numbered from 1 within its restore. */
export interface StoredEvent {
  readonly seq: number;
  readonly event: RestoreEvent;
}
