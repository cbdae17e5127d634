import {
  type Actor,
  type AgentReportedState,
  type CommandContext,
  decide,
  existing,
  fold,
  type ProgressReport,
  type ResolvedBackup,
  type Restore,
  type RestoreCommand,
  type RestoreConfig,
  type RestoreEvent,
  type RestoreStateName,
  type SealedPassword,
} from "@restorekit/core";
import fc from "fast-check";
import { arbRequestId } from "./command-context.js";
import { arbSealedPassword } from "./commands.js";
import { arbProgressReport, keepDoneCounts } from "./progress-report.js";
import { arbResolvedBackup } from "./resolved-backup.js";
import { arbPositiveId, arbRestoreConfig } from "./restore-config.js";

export interface ArbHistoryOptions {
  /** Fix whether the restore is encrypted (configuration updates keep it); random when absent. */
  readonly encrypted?: boolean;
  /** The most commands tried after creation (rejected ones are dropped). Default 20. */
  readonly maxCommands?: number;
}

/** A restore's event log from creation and the restore it folds to. */
type History = { events: RestoreEvent[]; restore: Restore };

/**
 * A step before it knows the restore it applies to; `password` says whether
 * StartManual follows the restore's encryption (as a correct client does) or
 * gets it wrong, so most histories get past Creating.
 */
type Step =
  | { readonly kind: "start"; readonly password: "follow" | "always" | "never" }
  | { readonly kind: "stop" }
  | { readonly kind: "update"; readonly config: RestoreConfig; readonly backup: ResolvedBackup }
  | {
      readonly kind: "report";
      readonly state: AgentReportedState | null;
      readonly report: ProgressReport;
    };

interface TimedStep {
  readonly step: Step;
  readonly gapMs: number;
  readonly requestId: string;
}

const EPOCH_MIN = Date.parse("2015-01-01T00:00:00.000Z");
const EPOCH_MAX = Date.parse("2035-01-01T00:00:00.000Z");
const HOUR_MS = 3_600_000;

interface Creation {
  readonly tenantId: string;
  readonly restoreId: number;
  readonly config: RestoreConfig;
  readonly backup: ResolvedBackup;
  readonly startMs: number;
  readonly requestId: string;
  readonly userId: string;
  readonly sealed: SealedPassword;
}

function buildCreation(encrypted: boolean | undefined): fc.Arbitrary<Creation> {
  return fc.record(
    {
      tenantId: fc.stringMatching(/^[0-9]{1,9}$/),
      restoreId: arbPositiveId(),
      config: arbRestoreConfig(),
      backup: encrypted === undefined ? arbResolvedBackup() : arbResolvedBackup({ encrypted }),
      startMs: fc.integer({ min: EPOCH_MIN, max: EPOCH_MAX }),
      requestId: arbRequestId(),
      userId: fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/),
      sealed: arbSealedPassword(),
    },
    { noNullPrototype: true },
  );
}

// Agents report working states far more often than they finish, so histories linger in the middle.
const REPORTED_IN_HISTORIES: fc.Arbitrary<AgentReportedState> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("Queued", "Preparing", "InProgress") },
  { weight: 1, arbitrary: fc.constant("StopRequested") },
  {
    weight: 1,
    arbitrary: fc.constantFrom("Completed", "CompletedWithErrors", "Failed", "Stopped"),
  },
);

function buildStep(encrypted: boolean | undefined): fc.Arbitrary<Step> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record(
        {
          kind: fc.constant("start" as const),
          password: fc.constantFrom("follow", "follow", "follow", "follow", "always", "never"),
        },
        { noNullPrototype: true },
      ),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "stop" as const }) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          kind: fc.constant("update" as const),
          config: arbRestoreConfig(),
          backup: encrypted === undefined ? arbResolvedBackup() : arbResolvedBackup({ encrypted }),
        },
        { noNullPrototype: true },
      ),
    },
    {
      weight: 6,
      arbitrary: fc.record(
        {
          kind: fc.constant("report" as const),
          state: fc.option(REPORTED_IN_HISTORIES, { freq: 8 }),
          report: arbProgressReport(),
        },
        { noNullPrototype: true },
      ),
    },
  );
}

/**
 * Arbitraries are immutable, so each is built once per option: building them
 * per sample (inside `chain`) is what makes property tests slow.
 */
function memo<K, V>(build: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = build(key);
    cache.set(key, value);
    return value;
  };
}

const arbCreation = memo(buildCreation);
const arbStep = memo(buildStep);

function arbTimedStep(step: fc.Arbitrary<Step>): fc.Arbitrary<TimedStep> {
  return fc.record(
    {
      step,
      gapMs: fc.integer({ min: 0, max: HOUR_MS }),
      requestId: arbRequestId(),
    },
    { noNullPrototype: true },
  );
}

function commandFor(restore: Restore, step: Step, sealed: SealedPassword): RestoreCommand {
  const restoreId = restore.restoreId;
  switch (step.kind) {
    case "start": {
      const give =
        step.password === "follow" ? restore.backup.isEncrypted : step.password === "always";
      return { type: "StartManual", data: { restoreId, sealedPassword: give ? sealed : null } };
    }
    case "stop":
      return { type: "StopManual", data: { restoreId } };
    case "update":
      return {
        type: "UpdateConfig",
        data: { restoreId, config: step.config, backup: step.backup },
      };
    case "report":
      return {
        type: "RecordAgentReport",
        data: {
          restoreId,
          state: step.state,
          report: keepDoneCounts(step.report, restore.progress),
        },
      };
  }
}

function actorFor(restore: Restore, step: Step, userId: string): Actor {
  return step.kind === "report"
    ? { type: "agent", id: restore.config.destinationMachineId }
    : { type: "user", id: userId };
}

/** Runs a creation and steps through the real `decide`/`evolve`, keeping what is accepted. */
function play(
  creation: Creation,
  steps: readonly TimedStep[],
  mustAccept: boolean,
): History | string {
  const { tenantId, restoreId, config, backup } = creation;
  const first = decide(
    { type: "Empty" },
    { type: "CreateRestore", data: { tenantId, restoreId, config, backup } },
    {
      actor: { type: "user", id: creation.userId },
      now: new Date(creation.startMs).toISOString(),
      requestId: creation.requestId,
    },
  );
  if (first.isErr()) return `CreateRestore was rejected: ${first.error.code}`;
  const events: RestoreEvent[] = [...first.value];
  let aggregate = fold(events);
  let atMs = creation.startMs;
  for (const { step, gapMs, requestId } of steps) {
    if (aggregate.type !== "Existing") return "the restore vanished";
    const restore = aggregate.restore;
    atMs += gapMs;
    const context: CommandContext = {
      actor: actorFor(restore, step, creation.userId),
      now: new Date(atMs).toISOString(),
      requestId,
    };
    const command = commandFor(restore, step, creation.sealed);
    const decision = decide(existing(restore), command, context);
    if (decision.isErr()) {
      if (mustAccept)
        return `${command.type} in ${restore.state} was rejected: ${decision.error.code}`;
      continue;
    }
    events.push(...decision.value);
    aggregate = fold(decision.value, aggregate);
  }
  if (aggregate.type !== "Existing") return "the restore vanished";
  return { events, restore: aggregate.restore };
}

function unwrap(history: History | string): History {
  // Reaching this is a bug in the arbitrary or in core, and the message says which step failed.
  if (typeof history === "string") throw new Error(`restorekit arbitraries: ${history}`);
  return history;
}

/**
 * A real history: a restore created, then random commands applied through
 * core's `decide` and `evolve`, rejected ones dropped. The events are the
 * whole log and `restore` is what they fold to.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbHistory(), ({ events, restore }) => restore.version === events.length));
 * ```
 */
export function arbHistory(options: ArbHistoryOptions = {}): fc.Arbitrary<History> {
  const { encrypted, maxCommands = 20 } = options;
  return fc
    .tuple(
      arbCreation(encrypted),
      fc.array(arbTimedStep(arbStep(encrypted)), { maxLength: maxCommands, size: "max" }),
    )
    .map(([creation, steps]) => unwrap(play(creation, steps, false)));
}

const start: Step = { kind: "start", password: "follow" };
const stop: Step = { kind: "stop" };
const reportOf = (state: AgentReportedState) => (report: ProgressReport) =>
  ({ kind: "report", state, report }) as const satisfies Step;

/** The ways to reach each state from creation, as agent and user would. */
const PATHS: Record<RestoreStateName, ReadonlyArray<ReadonlyArray<Step | AgentReportedState>>> = {
  Creating: [[]],
  StartRequested: [[start]],
  Queued: [[start, "Queued"]],
  Preparing: [
    [start, "Queued", "Preparing"],
    [start, "Preparing"],
  ],
  InProgress: [
    [start, "Queued", "Preparing", "InProgress"],
    [start, "InProgress"],
    [start, "Queued", "InProgress"],
  ],
  StopRequested: [
    [start, "Queued", stop],
    [start, "InProgress", stop],
    [start, "Preparing", "StopRequested"],
  ],
  Completed: [
    [start, "Completed"],
    [start, "Queued", "Preparing", "InProgress", "Completed"],
    [start, "InProgress", stop, "Completed"],
  ],
  CompletedWithErrors: [
    [start, "CompletedWithErrors"],
    [start, "Queued", "InProgress", "CompletedWithErrors"],
    [start, "Preparing", stop, "CompletedWithErrors"],
  ],
  Failed: [
    [start, "Failed"],
    [start, "Queued", "Failed"],
    [start, "InProgress", stop, "Failed"],
  ],
  Stopped: [
    [start, stop],
    [start, "Queued", stop, "Stopped"],
    [start, "InProgress", "Stopped"],
  ],
};

const arbPathStep = memo((entry: Step | AgentReportedState) =>
  arbTimedStep(
    typeof entry === "string" ? arbProgressReport().map(reportOf(entry)) : fc.constant(entry),
  ),
);

function buildRestoreIn(key: string): fc.Arbitrary<History> {
  const [state, encryption] = key.split(":") as [RestoreStateName, string];
  const encrypted = encryption === "any" ? undefined : encryption === "yes";
  return fc.oneof(
    ...PATHS[state].map((path) =>
      fc
        .tuple(arbCreation(encrypted), fc.tuple(...path.map(arbPathStep)))
        .map(([creation, steps]) => unwrap(play(creation, steps, true))),
    ),
  );
}

const restoreIn = memo(buildRestoreIn);

/**
 * A real history that ends in the given state, by one of the ways agents and
 * users get there (random report data along the way).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbRestoreIn("Queued"), ({ restore }) => restore.state === "Queued"));
 * ```
 */
export function arbRestoreIn(
  state: RestoreStateName,
  options: Pick<ArbHistoryOptions, "encrypted"> = {},
): fc.Arbitrary<History> {
  const encryption = options.encrypted === undefined ? "any" : options.encrypted ? "yes" : "no";
  return restoreIn(`${state}:${encryption}`);
}
