import { isDeepStrictEqual } from "node:util";
import {
  type AgentReport,
  DEFAULT_DEADLINES,
  deadlineOf,
  errorStatus,
  fold,
  heartbeatRefreshMs,
  type ProgressReport,
  type Restore,
  type RestoreConfig,
  type RestoreError,
  type RestoreErrorCode,
  type RestoreProgress,
  type RestoreStateName,
} from "@restorekit/core";
import fc from "fast-check";
import type { Result, ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  agentPrincipal,
  arbProgressReport,
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  encryptForAgent,
  type TestEnvironment,
  testEnvironment,
  UNENCRYPTED_BACKUP_ID,
} from "../src/index.js";
import {
  ACTIVE,
  agentCell,
  type Cell,
  isTarget,
  REPORTED,
  TERMINAL,
  USER_TABLE,
} from "../src/transition-tables.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

interface RestoreModel {
  encrypted: boolean;
  state: RestoreStateName;
  config: RestoreConfig;
  progress: RestoreProgress;
  /** The ciphertext the vault must give back while the password is held. */
  ciphertext: string | null;
}

interface Model {
  readonly restores: [RestoreModel, RestoreModel];
  now: string;
}

interface Real {
  readonly env: TestEnvironment;
  readonly ids: readonly [number, number];
}

type Target = 0 | 1;

function merged(progress: RestoreProgress, report: ProgressReport): RestoreProgress {
  return {
    startedTime: report.startedTime ?? progress.startedTime,
    endedTime: report.endedTime ?? progress.endedTime,
    filesRestored: report.filesRestored ?? progress.filesRestored,
    bytesRestored: report.bytesRestored ?? progress.bytesRestored,
    totalBytes: report.totalBytes ?? progress.totalBytes,
    bytesRemaining: report.bytesRemaining ?? progress.bytesRemaining,
    errors: report.errors ?? progress.errors,
  };
}

function lowersDoneCount(progress: RestoreProgress, report: ProgressReport): boolean {
  return (["filesRestored", "bytesRestored"] as const).some((field) => {
    const done = progress[field];
    const reported = report[field];
    return done !== null && reported !== undefined && reported < done;
  });
}

function holdsPassword(restore: RestoreModel): boolean {
  return restore.encrypted && ACTIVE.includes(restore.state);
}

async function stored(real: Real, target: Target): Promise<Restore> {
  const id = real.ids[target];
  const restore = (await real.env.repository.load(DEFAULT_TENANT, id))._unsafeUnwrap();
  if (restore === null) throw new Error(`restore ${id} vanished`);
  return restore;
}

/** Everything the model says about the store, checked after every command. */
async function verify(model: Model, real: Real): Promise<void> {
  for (const target of [0, 1] as const) {
    const expected = model.restores[target];
    const id = real.ids[target];
    const restore = await stored(real, target);
    const events = (await real.env.repository.readEvents(DEFAULT_TENANT, id))._unsafeUnwrap();
    expect(fold(events.map((e) => e.event))).toEqual({ type: "Existing", restore });
    expect(restore.version).toBe(events.length);
    expect(restore.state).toBe(expected.state);
    expect(restore.config).toEqual(expected.config);
    expect(restore.backup.isEncrypted).toBe(expected.encrypted);
    expect(restore.progress).toEqual(expected.progress);
    expect(restore.passwordSealed).toBe(holdsPassword(expected));
    const sealed = (
      await real.env.repository.readSealedPassword(DEFAULT_TENANT, id)
    )._unsafeUnwrap();
    if (!holdsPassword(expected)) {
      expect(sealed).toBeNull();
      continue;
    }
    expect(sealed).not.toBeNull();
    if (sealed === null) continue;
    const opened = await real.env.vault.open(sealed, { tenantId: DEFAULT_TENANT, restoreId: id });
    expect(opened._unsafeUnwrap().toUpperCase()).toBe(expected.ciphertext?.toUpperCase());
  }
}

/** Checks one service answer against the model's expectation for it. */
async function expectOutcome(
  result: Result<Restore, RestoreError>,
  expected:
    | { readonly error: RestoreErrorCode; readonly status: number }
    | { readonly changed: boolean },
  before: Restore,
  real: Real,
  target: Target,
): Promise<void> {
  const after = await stored(real, target);
  if ("error" in expected) {
    expect(result.isErr() ? result.error.code : "ok").toBe(expected.error);
    if (result.isErr()) expect(errorStatus(result.error)).toBe(expected.status);
    expect(after).toEqual(before);
    return;
  }
  expect(result.isOk() ? "ok" : result._unsafeUnwrapErr().code).toBe("ok");
  expect(result._unsafeUnwrap()).toEqual(after);
  if (expected.changed) expect(after.version).toBeGreaterThan(before.version);
  else expect(after).toEqual(before);
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

class StartCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly target: Target,
    /** "fitting": a password exactly when encrypted; "mismatched": the opposite. */
    readonly password: "fitting" | "mismatched",
    readonly passphrase: string,
  ) {}
  check(): boolean {
    return true;
  }
  async drive(real: Real): Promise<{ result: Result<Restore, RestoreError>; sent: string | null }> {
    const current = await stored(real, this.target);
    const key = current.backup.publicKey;
    if (key === null) throw new Error("the test backups carry the destination agent's key");
    const encrypted = current.backup.isEncrypted;
    const send = this.password === "fitting" ? encrypted : !encrypted;
    const sent = send ? encryptForAgent(this.passphrase, key) : null;
    const result = await real.env.service.requestAction(real.env.context(), {
      action: "StartManual",
      restoreId: real.ids[this.target],
      encryptedPassword: sent,
    });
    return { result, sent };
  }
  async run(model: Model, real: Real): Promise<void> {
    const restore = model.restores[this.target];
    const before = await stored(real, this.target);

    const { result, sent: ciphertext } = await this.drive(real);

    // The password rule holds in every state, so a mismatch is always the answer.
    const cell: Cell =
      this.password === "mismatched"
        ? restore.encrypted
          ? "password_required"
          : "password_not_allowed"
        : USER_TABLE[restore.state].StartManual;
    if (isTarget(cell)) {
      await expectOutcome(result, { changed: true }, before, real, this.target);
      restore.state = cell;
      restore.ciphertext = ciphertext;
    } else if (cell === "noop") {
      await expectOutcome(result, { changed: false }, before, real, this.target);
    } else {
      await expectOutcome(result, { error: cell, status: 400 }, before, real, this.target);
    }
    await verify(model, real);
  }
  toString(): string {
    return `StartManual(${this.target}, ${this.password})`;
  }
}

class StopCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly target: Target,
    readonly withPassword: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  drive(real: Real): ResultAsync<Restore, RestoreError> {
    return real.env.service.requestAction(real.env.context(), {
      action: "StopManual",
      restoreId: real.ids[this.target],
      encryptedPassword: this.withPassword ? "ABCDEF" : null,
    });
  }
  async run(model: Model, real: Real): Promise<void> {
    const restore = model.restores[this.target];
    const before = await stored(real, this.target);

    const result = await this.drive(real);

    const cell: Cell = this.withPassword
      ? "password_not_allowed"
      : USER_TABLE[restore.state].StopManual;
    if (isTarget(cell)) {
      await expectOutcome(result, { changed: true }, before, real, this.target);
      if (cell === "Stopped") restore.progress = { ...restore.progress, endedTime: model.now };
      restore.state = cell;
    } else if (cell === "noop") {
      await expectOutcome(result, { changed: false }, before, real, this.target);
    } else {
      await expectOutcome(result, { error: cell, status: 400 }, before, real, this.target);
    }
    await verify(model, real);
  }
  toString(): string {
    return `StopManual(${this.target}${this.withPassword ? ", with password" : ""})`;
  }
}

class ReportCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly target: Target,
    readonly report: AgentReport,
  ) {}
  check(): boolean {
    return true;
  }
  drive(real: Real): ResultAsync<Restore, RestoreError> {
    return real.env.service.agentReport(
      real.env.context(agentPrincipal()),
      real.ids[this.target],
      this.report,
    );
  }
  async run(model: Model, real: Real): Promise<void> {
    const restore = model.restores[this.target];
    const before = await stored(real, this.target);

    const result = await this.drive(real);

    const cell = agentCell(restore.state, this.report.state);
    // While the restore is active, a lower done count is refused before the state is looked at.
    const active = restore.state !== "Creating" && !TERMINAL.includes(restore.state);
    if (active && lowersDoneCount(restore.progress, this.report.report)) {
      await expectOutcome(
        result,
        { error: "progress_regressed", status: 409 },
        before,
        real,
        this.target,
      );
      await verify(model, real);
      return;
    }
    if (cell === "agent_conflict") {
      await expectOutcome(result, { error: cell, status: 409 }, before, real, this.target);
      await verify(model, real);
      return;
    }
    // A finished restore is frozen: repeating its final state records nothing new.
    const data = TERMINAL.includes(restore.state)
      ? restore.progress
      : merged(restore.progress, this.report.report);
    const next = isTarget(cell) ? cell : restore.state;
    const finishing = TERMINAL.includes(next) && next !== restore.state;
    const progress = finishing ? { ...data, endedTime: data.endedTime ?? model.now } : data;
    const changed = next !== restore.state || !isDeepStrictEqual(progress, restore.progress);
    // A report that changes nothing still records a heartbeat once the last event is a refresh old.
    const deadline = deadlineOf(restore.state, DEFAULT_DEADLINES);
    const heartbeat =
      !changed &&
      deadline !== null &&
      Date.parse(model.now) - Date.parse(before.updatedAt) >= heartbeatRefreshMs(deadline);
    await expectOutcome(result, { changed: changed || heartbeat }, before, real, this.target);
    restore.state = next;
    restore.progress = progress;
    await verify(model, real);
  }
  toString(): string {
    return `AgentReport(${this.target}, ${String(this.report.state)}, ${JSON.stringify(this.report.report)})`;
  }
}

class UpdateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly target: Target,
    readonly encrypted: boolean,
    readonly destinationPath: string,
    readonly overwriteFiles: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  get config(): RestoreConfig {
    return {
      backupId: this.encrypted ? ENCRYPTED_BACKUP_ID : UNENCRYPTED_BACKUP_ID,
      backupMachineId: BACKUP_MACHINE_ID,
      destinationMachineId: DESTINATION_MACHINE_ID,
      destinationPath: this.destinationPath,
      overwriteFiles: this.overwriteFiles,
    };
  }
  drive(real: Real): ResultAsync<Restore, RestoreError> {
    return real.env.service.updateRestore(real.env.context(), {
      ...this.config,
      restoreId: real.ids[this.target],
    });
  }
  async run(model: Model, real: Real): Promise<void> {
    const restore = model.restores[this.target];
    const before = await stored(real, this.target);
    const config = this.config;

    const result = await this.drive(real);

    const cell = USER_TABLE[restore.state].UpdateConfig;
    if (isTarget(cell)) {
      await expectOutcome(result, { changed: true }, before, real, this.target);
      restore.state = cell;
      restore.config = config;
      restore.encrypted = this.encrypted;
    } else if (cell === "noop") {
      await expectOutcome(result, { changed: false }, before, real, this.target);
    } else {
      await expectOutcome(result, { error: cell, status: 400 }, before, real, this.target);
    }
    await verify(model, real);
  }
  toString(): string {
    return `UpdateConfig(${this.target}, ${this.encrypted ? "encrypted" : "plain"})`;
  }
}

class AdvanceClockCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async drive(real: Real): Promise<void> {
    real.env.clock.advance(this.ms);
  }
  async run(model: Model, real: Real): Promise<void> {
    await this.drive(real);
    model.now = new Date(Date.parse(model.now) + this.ms).toISOString();
    expect(real.env.clock.now().toISOString()).toBe(model.now);
  }
  toString(): string {
    return `AdvanceClock(${this.ms})`;
  }
}

const arbTarget = fc.constantFrom<Target>(0, 1);

const arbAgentReport: fc.Arbitrary<AgentReport> = fc.record({
  state: fc.option(fc.constantFrom(...REPORTED), { freq: 4 }),
  report: fc.oneof(fc.constant({}), arbProgressReport()),
});

const allCommands = [
  fc
    .tuple(
      arbTarget,
      fc.oneof(
        { arbitrary: fc.constant("fitting" as const), weight: 3 },
        { arbitrary: fc.constant("mismatched" as const), weight: 1 },
      ),
      fc.string({ maxLength: 40 }),
    )
    .map(([target, password, passphrase]) => new StartCommand(target, password, passphrase)),
  fc
    .tuple(
      arbTarget,
      fc.oneof(
        { arbitrary: fc.constant(false), weight: 4 },
        { arbitrary: fc.constant(true), weight: 1 },
      ),
    )
    .map(([target, withPassword]) => new StopCommand(target, withPassword)),
  // Agents report more often than users act, as in real life; it also reaches deep states.
  ...Array.from({ length: 3 }, () =>
    fc
      .tuple(arbTarget, arbAgentReport)
      .map(([target, report]) => new ReportCommand(target, report)),
  ),
  fc
    .tuple(arbTarget, fc.boolean(), fc.constantFrom("C:\\a\\", "/srv/r", "D:\\x y\\"), fc.boolean())
    .map(
      ([target, encrypted, path, overwrite]) =>
        new UpdateCommand(target, encrypted, path, overwrite),
    ),
  fc.integer({ min: 1, max: 86_400_000 }).map((ms) => new AdvanceClockCommand(ms)),
];

async function setup(): Promise<{ model: Model; real: Real }> {
  const env = testEnvironment();
  const plain = (await env.createRestore({ encrypted: false }))._unsafeUnwrap();
  const encrypted = (await env.createRestore({ encrypted: true }))._unsafeUnwrap();
  const modelOf = (restore: Restore, isEncrypted: boolean): RestoreModel => ({
    encrypted: isEncrypted,
    state: "Creating",
    config: restore.config,
    progress: {
      startedTime: null,
      endedTime: null,
      filesRestored: null,
      bytesRestored: null,
      totalBytes: null,
      bytesRemaining: null,
      errors: null,
    },
    ciphertext: null,
  });
  return {
    model: {
      restores: [modelOf(plain, false), modelOf(encrypted, true)],
      now: env.clock.now().toISOString(),
    },
    real: { env, ids: [plain.restoreId, encrypted.restoreId] },
  };
}

describe("the restore service against a model of SPEC 3", () => {
  it("agrees with the model after every command of any sequence", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands(allCommands, { maxCommands: 40, size: "max" }),
        async (commands) => {
          await fc.asyncModelRun(setup, commands);
        },
      ),
      { numRuns: 300 },
    );
  });

  // Independent of the model: only the service and the store are consulted.
  it("stores restores whose event logs fold back to them, for any command sequence", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(...allCommands), { maxLength: 30, size: "max" }),
        async (commands) => {
          const { real } = await setup();
          for (const command of commands) await command.drive(real);
          for (const id of real.ids) {
            const events = (
              await real.env.repository.readEvents(DEFAULT_TENANT, id)
            )._unsafeUnwrap();
            const restore = (await real.env.repository.load(DEFAULT_TENANT, id))._unsafeUnwrap();
            expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
            expect(fold(events.map((e) => e.event))).toEqual({ type: "Existing", restore });
            // Folding any prefix gives a valid restore whose version counts the prefix.
            for (let n = 1; n <= events.length; n += 1) {
              const prefix = fold(events.slice(0, n).map((e) => e.event));
              expect(prefix.type === "Existing" ? prefix.restore.version : 0).toBe(n);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
