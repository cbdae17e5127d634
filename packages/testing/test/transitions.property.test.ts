import {
  type CommandContext,
  decide,
  evolve,
  existing,
  fold,
  type ProgressReport,
  type Restore,
  type RestoreAggregate,
  type RestoreCommand,
  type RestoreErrorCode,
  type RestoreEvent,
  type RestoreStateName,
  type SealedPassword,
} from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  arbAgentReportCommand,
  arbCommand,
  arbCommandContext,
  arbHistory,
  arbProgressReportAfter,
  arbResolvedBackup,
  arbRestoreConfig,
  arbRestoreIn,
  arbSealedPassword,
  arbStateName,
} from "../src/index.js";
import {
  ACTIVE,
  agentCell,
  type Cell,
  isTarget,
  REPORTED,
  STATES,
  TERMINAL,
  USER_COMMANDS,
  USER_TABLE,
  type UserCommandName,
} from "../src/transition-tables.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

/** What decide must do for one cell of SPEC 3 (src/transition-tables.ts). */
type Outcome =
  | { readonly to: RestoreStateName }
  | { readonly noop: true }
  | { readonly error: RestoreErrorCode };

function outcomeOf(cell: Cell): Outcome {
  if (isTarget(cell)) return { to: cell };
  return cell === "noop" ? { noop: true } : { error: cell };
}

const STATE_CHANGING_EVENTS = new Set([
  "RestoreStartRequested",
  "RestoreCancelled",
  "RestoreStopRequested",
  "RestoreProgressed",
  "RestoreFinished",
  "RestoreStopped",
]);

function restoreOf(aggregate: RestoreAggregate): Restore {
  if (aggregate.type !== "Existing") throw new Error("expected an existing restore");
  return aggregate.restore;
}

function applied(restore: Restore, events: readonly RestoreEvent[]): Restore {
  return restoreOf(fold(events, existing(restore)));
}

function isEmptyReport(report: ProgressReport): boolean {
  return Object.values(report).every((value) => value === undefined);
}

/** A user command as a well-behaved client sends it: a password exactly when the restore is encrypted. */
function userCommand(
  name: UserCommandName,
  restore: Restore,
  extra: { sealed: SealedPassword; config: Restore["config"]; backup: Restore["backup"] },
): RestoreCommand {
  const restoreId = restore.restoreId;
  switch (name) {
    case "StartManual":
      return {
        type: "StartManual",
        data: { restoreId, sealedPassword: restore.backup.isEncrypted ? extra.sealed : null },
      };
    case "StopManual":
      return { type: "StopManual", data: { restoreId } };
    case "UpdateConfig":
      return {
        type: "UpdateConfig",
        data: { restoreId, config: extra.config, backup: extra.backup },
      };
  }
}

function checkOutcome(
  restore: Restore,
  command: RestoreCommand,
  context: CommandContext,
  expected: Outcome,
): void {
  const decision = decide(existing(restore), command, context);
  if ("error" in expected) {
    expect(decision.isErr() ? decision.error.code : "accepted").toBe(expected.error);
    return;
  }
  expect(decision.isOk() ? "accepted" : decision.error.code).toBe("accepted");
  const events = decision._unsafeUnwrap();
  const next = applied(restore, events);
  if ("to" in expected) {
    expect(events.length).toBeGreaterThan(0);
    expect(next.state).toBe(expected.to);
    return;
  }
  // A no-op keeps the state; an agent's retry may still carry new data, and only that is recorded.
  expect(next.state).toBe(restore.state);
  expect(events.filter((event) => STATE_CHANGING_EVENTS.has(event.type))).toEqual([]);
  if (command.type !== "RecordAgentReport" || isEmptyReport(command.data.report)) {
    expect(events).toEqual([]);
  }
}

const RUNS_PER_CELL = 40;

describe("decide agrees with SPEC 3 for every (state, command) pair", () => {
  const userCells = STATES.flatMap((state) =>
    USER_COMMANDS.map((command) => [state, command] as const),
  );
  it.each(userCells)("user table: %s + %s", (state, name) => {
    fc.assert(
      fc.property(
        arbRestoreIn(state),
        arbSealedPassword(),
        arbRestoreConfig(),
        arbResolvedBackup(),
        arbCommandContext(),
        ({ restore }, sealed, config, backup, context) => {
          const command = userCommand(name, restore, { sealed, config, backup });
          checkOutcome(restore, command, context, outcomeOf(USER_TABLE[state][name]));
        },
      ),
      { numRuns: RUNS_PER_CELL },
    );
  });

  const agentCells = STATES.flatMap((state) => REPORTED.map((report) => [state, report] as const));
  it.each(agentCells)("agent table: %s + report %s", (state, reported) => {
    fc.assert(
      fc.property(
        // The table is about states: the data is what a well-behaved agent sends, counts never lowered.
        arbRestoreIn(state).chain((history) =>
          fc.tuple(
            fc.constant(history),
            fc.oneof(
              fc.constant<ProgressReport>({}),
              arbProgressReportAfter(history.restore.progress),
            ),
          ),
        ),
        arbCommandContext(),
        ([{ restore }, report], context) => {
          const command: RestoreCommand = {
            type: "RecordAgentReport",
            data: { restoreId: restore.restoreId, state: reported, report },
          };
          checkOutcome(restore, command, context, outcomeOf(agentCell(state, reported)));
        },
      ),
      { numRuns: RUNS_PER_CELL },
    );
  });
});

const arbAnyRestore = arbStateName().chain((state) => arbRestoreIn(state));

describe("transition properties", () => {
  it("terminal states absorb: any command yields no event or an error, and the state stays", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const arbTerminal = fc.constantFrom(...TERMINAL).chain((state) => arbRestoreIn(state));
    fc.assert(
      fc.property(
        arbTerminal.chain((history) => fc.tuple(fc.constant(history), arbCommand(history.restore))),
        arbCommandContext(),
        ([{ restore }, command], context) => {
          const decision = decide(existing(restore), command, context);
          if (decision.isOk()) expect(decision.value).toEqual([]);
          const events = decision.isOk() ? decision.value : [];
          expect(applied(restore, events)).toEqual(restore);
        },
      ),
      { numRuns: 1000 },
    );
  });

  // UpdateConfig is left out on purpose: SPEC 3 says it replaces the configuration again each time.
  it("repeating an accepted StartManual, StopManual or agent report is a no-op", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const arbRepeatable = (restore: Restore): fc.Arbitrary<RestoreCommand> =>
      fc.oneof(
        arbSealedPassword().map(
          (sealed): RestoreCommand => ({
            type: "StartManual",
            data: {
              restoreId: restore.restoreId,
              sealedPassword: restore.backup.isEncrypted ? sealed : null,
            },
          }),
        ),
        fc.constant<RestoreCommand>({ type: "StopManual", data: { restoreId: restore.restoreId } }),
        arbAgentReportCommand(restore.restoreId, restore.progress),
      );
    fc.assert(
      fc.property(
        fc
          .oneof(arbHistory(), arbAnyRestore)
          .chain((history) =>
            fc.tuple(fc.constant(history.restore), arbRepeatable(history.restore)),
          ),
        arbCommandContext(),
        arbCommandContext(),
        ([restore, command], first, second) => {
          const decision = decide(existing(restore), command, first);
          fc.pre(decision.isOk());
          const once = applied(restore, decision._unsafeUnwrap());
          const again = decide(existing(once), command, second);
          expect(again.isOk() ? again.value : again.error.code).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("folding any history reproduces the restore stepwise", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(arbHistory({ maxCommands: 30 }), ({ events, restore }) => {
        expect(fold(events)).toEqual(existing(restore));
        const first = events[0];
        expect(first?.type).toBe("RestoreCreated");
        let aggregate: RestoreAggregate = { type: "Empty" };
        events.forEach((event, i) => {
          aggregate = evolve(aggregate, event);
          const step = restoreOf(aggregate);
          expect(step.version).toBe(i + 1);
          expect(step.createdAt).toBe(first?.metadata.at);
          expect(step.updatedAt).toBe(event.metadata.at);
          expect(fold(events.slice(0, i + 1))).toEqual(aggregate);
        });
        expect(restore.version).toBe(events.length);
        expect(restore.createdAt).toBe(first?.metadata.at);
        expect(restore.updatedAt).toBe(events.at(-1)?.metadata.at);
      }),
      { numRuns: 500 },
    );
  });

  it("the sealed password is held exactly while the restore is encrypted and active", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(arbHistory({ maxCommands: 30 }), ({ events }) => {
        let aggregate: RestoreAggregate = { type: "Empty" };
        for (const event of events) {
          aggregate = evolve(aggregate, event);
          const step = restoreOf(aggregate);
          expect(step.passwordSealed).toBe(step.backup.isEncrypted && ACTIVE.includes(step.state));
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** The states whose StartManual cell accepts (a transition or a no-op), so only the password can reject. */
const START_ACCEPTED = STATES.filter(
  (state) => !("error" in outcomeOf(USER_TABLE[state].StartManual)),
);

describe("the password rule of StartManual", () => {
  // SPEC 3 does not order the password rule against the table; where the table rejects too, either error is right.
  function expectPasswordError(
    state: RestoreStateName,
    code: RestoreErrorCode | "accepted",
    passwordCode: RestoreErrorCode,
  ): void {
    const table = outcomeOf(USER_TABLE[state].StartManual);
    if (START_ACCEPTED.includes(state)) expect(code).toBe(passwordCode);
    else expect([passwordCode, "error" in table ? table.error : passwordCode]).toContain(code);
  }

  it("an encrypted restore without a sealed password is password_required", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        arbStateName().chain((state) => arbRestoreIn(state, { encrypted: true })),
        arbCommandContext(),
        ({ restore }, context) => {
          const decision = decide(
            existing(restore),
            { type: "StartManual", data: { restoreId: restore.restoreId, sealedPassword: null } },
            context,
          );
          expectPasswordError(
            restore.state,
            decision.isOk() ? "accepted" : decision.error.code,
            "password_required",
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("an unencrypted restore with a sealed password is password_not_allowed", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        arbStateName().chain((state) => arbRestoreIn(state, { encrypted: false })),
        arbSealedPassword(),
        arbCommandContext(),
        ({ restore }, sealedPassword, context) => {
          const decision = decide(
            existing(restore),
            { type: "StartManual", data: { restoreId: restore.restoreId, sealedPassword } },
            context,
          );
          expectPasswordError(
            restore.state,
            decision.isOk() ? "accepted" : decision.error.code,
            "password_not_allowed",
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Every form a leaked password could take in serialised output. */
function renderings(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes);
  return [
    buffer.toString("hex"),
    buffer.toString("hex").toUpperCase(),
    buffer.toString("base64"),
    buffer.toString("base64url"),
    Array.from(bytes).join(","),
    JSON.stringify(bytes),
  ];
}

function containsBinary(value: unknown): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some(containsBinary);
}

describe("secrets stay out of events", () => {
  const arbSecret = fc
    .uint8Array({ minLength: 16, maxLength: 64 })
    .map((bytes) => bytes as SealedPassword);

  it("no event or error of any StartManual contains the sealed password bytes", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        fc.boolean().chain((encrypted) =>
          fc.oneof(
            arbRestoreIn("Creating", { encrypted }),
            arbStateName().chain((state) => arbRestoreIn(state, { encrypted })),
          ),
        ),
        arbSecret,
        arbCommandContext(),
        ({ restore }, sealedPassword, context) => {
          const decision = decide(
            existing(restore),
            { type: "StartManual", data: { restoreId: restore.restoreId, sealedPassword } },
            context,
          );
          const output = decision.isOk() ? decision.value : decision.error;
          expect(containsBinary(output)).toBe(false);
          const json = JSON.stringify(output);
          for (const rendering of renderings(sealedPassword)) expect(json).not.toContain(rendering);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("no event of any history holds binary data", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(arbHistory({ encrypted: true }), ({ events }) => {
        expect(containsBinary(events)).toBe(false);
        expect(JSON.parse(JSON.stringify(events))).toEqual(events);
      }),
      { numRuns: 300 },
    );
  });
});

describe("decide and evolve are total", () => {
  const nearValid = fc.anything({
    key: fc.constantFrom(
      "type",
      "data",
      "metadata",
      "restore",
      "restoreId",
      "state",
      "report",
      "sealedPassword",
      "at",
      "backup",
      "progress",
      "__proto__",
      "constructor",
      "errors",
      "list",
    ),
    values: [
      fc.constantFrom("constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"),
      fc.constantFrom(
        "Empty",
        "Existing",
        "RestoreCreated",
        "RestoreStartRequested",
        "RestoreFinished",
        "StartManual",
        "StopManual",
        "UpdateConfig",
        "RecordAgentReport",
        "CreateRestore",
        "Queued",
        "Completed",
      ),
      fc.integer(),
      fc.string(),
      fc.constant(null),
      fc.constant(undefined),
    ],
    withNullPrototype: true,
    withBoxedValues: true,
    withMap: true,
    withTypedArray: true,
    withSparseArray: true,
  });
  /** Objects that reach themselves: a naive deep walk (equality, copying) never ends. */
  const cyclic = fc.anything().map((inner) => {
    const node: Record<string, unknown> = { inner, count: 1, list: [] };
    node.self = node;
    (node.list as unknown[]).push(node);
    return node;
  });
  const anything = fc.oneof(fc.anything(), nearValid, cyclic);

  const settles = (run: () => { isOk(): boolean; isErr(): boolean }): void => {
    const result = run();
    expect(result.isOk() !== result.isErr()).toBe(true);
  };

  it("decide never throws for well-typed input", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(
        fc
          .oneof(arbHistory(), arbAnyRestore)
          .chain((history) => fc.tuple(fc.constant(history.restore), arbCommand(history.restore))),
        arbCommandContext(),
        ([restore, command], context) => {
          settles(() => decide(existing(restore), command, context));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("decide never throws for arbitrary state, command or context", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          arbAnyRestore.map(({ restore }) => existing(restore)),
          anything,
        ),
        fc.oneof(
          arbAnyRestore.chain(({ restore }) => arbCommand(restore)),
          anything,
        ),
        fc.oneof(arbCommandContext(), anything),
        (state, command, context) => {
          settles(() =>
            decide(state as RestoreAggregate, command as RestoreCommand, context as CommandContext),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("evolve never throws for arbitrary state or event", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    const arbEvent = arbHistory().chain(({ events }) => fc.constantFrom(...events));
    fc.assert(
      fc.property(
        fc.oneof(
          arbAnyRestore.map(({ restore }) => existing(restore)),
          anything,
        ),
        fc.oneof(arbEvent, anything),
        (state, event) => {
          expect(() => evolve(state as RestoreAggregate, event as RestoreEvent)).not.toThrow();
        },
      ),
      { numRuns: 3000 },
    );
  });
  it("decide refuses a reported state that is a prototype key or any other non-state, without throwing", () => {
    fc.assert(
      fc.property(
        arbAnyRestore,
        fc.oneof(
          fc.constantFrom("constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"),
          fc.constantFrom("Creating", "StartRequested", "queued", "in_progress", ""),
          fc.string(),
        ),
        arbCommandContext(),
        ({ restore }, state, context) => {
          const command = {
            type: "RecordAgentReport",
            data: { restoreId: restore.restoreId, state, report: {} },
          } as unknown as RestoreCommand;
          const error = decide(existing(restore), command, context)._unsafeUnwrapErr();
          expect(error.code).toBe("invalid_request");
          expect(error.code === "invalid_request" && error.issues.map((i) => i.path)).toEqual([
            "command.data.state",
          ]);
        },
      ),
    );
  });

  it("decide is total on a report whose errors object reaches itself, and no cycle reaches an event", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ACTIVE).chain((state) => arbRestoreIn(state)),
        fc.constantFrom(null, "InProgress", "Completed", "Stopped"),
        arbCommandContext(),
        fc.boolean(),
        ({ restore }, state, context, throughList) => {
          const errors: Record<string, unknown> = {
            count: 1,
            reason: null,
            diagnostics: null,
            list: [{ index: 0, path: null, type: null, exception: null }],
          };
          // Either a cycle through a key the domain ignores, or one through a field it reads.
          if (throughList) (errors.list as unknown[]).push(errors);
          else errors.again = errors;
          const command = {
            type: "RecordAgentReport",
            data: { restoreId: restore.restoreId, state, report: { errors } },
          } as unknown as RestoreCommand;
          const decision = decide(existing(restore), command, context);
          if (throughList) {
            expect(decision._unsafeUnwrapErr().code).toBe("invalid_request");
          } else if (decision.isOk()) {
            expect(() => JSON.stringify(decision.value)).not.toThrow();
            expect(JSON.stringify(decision.value)).not.toContain("again");
          } else {
            expect(decision.error.code).toBe("agent_conflict");
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("decide refuses a command naming another restore, whatever it is and whatever the state", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        arbAnyRestore.chain((history) =>
          fc.tuple(fc.constant(history.restore), arbCommand(history.restore)),
        ),
        fc.integer({ min: 1, max: 2 ** 31 }),
        arbCommandContext(),
        ([restore, command], other, context) => {
          fc.pre(command.type !== "CreateRestore" && other !== restore.restoreId);
          const elsewhere = {
            ...command,
            data: { ...command.data, restoreId: other },
          } as RestoreCommand;
          const error = decide(existing(restore), elsewhere, context)._unsafeUnwrapErr();
          expect(error).toEqual({
            code: "invalid_request",
            message: `The request is invalid: command.data.restoreId: names restore ${other}, not restore ${restore.restoreId}.`,
            issues: [
              {
                path: "command.data.restoreId",
                message: `names restore ${other}, not restore ${restore.restoreId}`,
              },
            ],
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("decide answers internal_error for a state that is a restore but for one field", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    // Every field of a restore, each replaced in turn by a value no field may hold.
    const paths = [
      ["tenantId"],
      ["restoreId"],
      ["state"],
      ["version"],
      ["config"],
      ["config", "backupId"],
      ["config", "destinationPath"],
      ["config", "overwriteFiles"],
      ["backup"],
      ["backup", "restorePoint"],
      ["backup", "isEncrypted"],
      ["backup", "publicKey"],
      ["backup", "backupConfigurationName"],
      ["passwordSealed"],
      ["progress"],
      ["progress", "startedTime"],
      ["progress", "filesRestored"],
      ["progress", "errors"],
      ["createdAt"],
      ["updatedAt"],
    ] as const;
    const broken = fc.constantFrom<unknown>(Symbol("not data"), () => "not data", Number.NaN, [
      "constructor",
    ]);
    fc.assert(
      fc.property(
        arbAnyRestore.chain((history) =>
          fc.tuple(fc.constant(history.restore), arbCommand(history.restore)),
        ),
        fc.constantFrom(...paths),
        broken,
        arbCommandContext(),
        ([restore, command], path, value, context) => {
          const copy = structuredClone(restore) as unknown as Record<
            string,
            Record<string, unknown>
          >;
          const [first, second] = path;
          if (second === undefined) (copy as Record<string, unknown>)[first] = value;
          else (copy[first] as Record<string, unknown>)[second] = value;
          const decision = decide(existing(copy as unknown as Restore), command, context);
          expect(decision._unsafeUnwrapErr().code).toBe("internal_error");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("evolve keeps the restore it has when a second RestoreCreated comes", () => {
    fc.assert(
      fc.property(arbAnyRestore, arbHistory(), ({ restore }, other) => {
        const again = other.events[0];
        if (again?.type !== "RestoreCreated")
          throw new Error("a history starts with RestoreCreated");
        expect(evolve(existing(restore), again)).toEqual(existing(restore));
      }),
    );
  });
});
