import type { AwaitedWord } from "./deadlines.js";
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
/**
 * The agent was heard without news: a report that changed nothing, recorded
 * so the restore's deadline counts from it.
 */
export type RestoreHeartbeatReceived = Event<"RestoreHeartbeatReceived", Record<string, never>>;
/**
 * The restore was given up because its agent stayed silent past the deadline
 * of the word it `awaited` (since `silentSince`, its last recorded word):
 * Failed for a pickup or a heartbeat, Stopped for a stop.
 */
export type RestoreExpired = Event<
  "RestoreExpired",
  {
    readonly state: "Failed" | "Stopped";
    readonly reason: "AgentTimeout";
    readonly awaited: AwaitedWord;
    readonly deadlineMs: number;
    readonly silentSince: Timestamp;
    readonly progress: RestoreProgress;
  }
>;

export type RestoreEvent =
  | RestoreCreated
  | RestoreConfigUpdated
  | RestoreStartRequested
  | RestoreCancelled
  | RestoreStopRequested
  | RestoreProgressed
  | RestoreProgressReported
  | RestoreFinished
  | RestoreStopped
  | RestoreHeartbeatReceived
  | RestoreExpired;

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
  "RestoreHeartbeatReceived",
  "RestoreExpired",
];

/** An event as a store hands it back: numbered from 1 within its restore. */
export interface StoredEvent {
  readonly seq: number;
  readonly event: RestoreEvent;
}
