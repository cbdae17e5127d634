import {
  type BackupCatalog,
  type Clock,
  decide,
  fold,
  initialState,
  type Restore,
  type RestoreCommand,
  type RestoreError,
  RestoreErrors,
  type RestoreRepository,
} from "@restorekit/core";
import type { SqlClient } from "@restorekit/postgres";
import { err, ok, okAsync, ResultAsync, safeTry } from "neverthrow";
import {
  DEMO_HIGHEST_RESTORE_ID,
  DEMO_RESTORES,
  DEMO_TENANT,
  type DemoRestore,
} from "./demo-data.js";

export interface SeedDemoOptions {
  readonly repository: RestoreRepository;
  readonly catalog: BackupCatalog;
  readonly client: SqlClient;
  readonly schema: string;
  readonly clock: Clock;
}

/** Which demo restores this start created, and which it found already stored. */
export interface SeedReport {
  readonly created: readonly number[];
  readonly found: readonly number[];
}

const SEED_CONTEXT = {
  actor: { type: "system", id: "demo-seed" },
  requestId: "demo-seed",
} as const;

/**
 * Stores the demo restores (1394, 13692, 13689, all Creating) unless they
 * exist, so a restart on the same data keeps whatever became of them, and
 * moves the restore id sequence past them, so a created restore never takes
 * their ids. Safe to run by several instances at once: a restore another one
 * stored first counts as found.
 *
 * The restores are not created through the service: it would take
 * `IsEncrypted` from the catalog, whose backup 133599 is unencrypted, while
 * 13689 must be encrypted for the reference's encrypted start to work. So
 * the catalog resolves the backup, the seed sets `isEncrypted`, and core's
 * `decide` makes the creation event, appended as the service would.
 *
 * @example
 * ```ts
 * const seeded = await seedDemo({ repository, catalog, client, schema: "restorekit", clock });
 * ```
 */
export function seedDemo(options: SeedDemoOptions): ResultAsync<SeedReport, RestoreError> {
  return safeTry(async function* () {
    const created: number[] = [];
    const found: number[] = [];
    for (const demo of DEMO_RESTORES) {
      const stored = yield* options.repository.load(DEMO_TENANT, demo.restoreId);
      if (stored !== null) {
        found.push(demo.restoreId);
        continue;
      }
      const outcome = await seedOne(options, demo);
      if (outcome.isOk()) created.push(demo.restoreId);
      else if (outcome.error.code === "version_conflict") found.push(demo.restoreId);
      else return err(outcome.error);
    }
    yield* moveIdsPastDemo(options.client, options.schema);
    return ok({ created, found });
  });
}

function seedOne(options: SeedDemoOptions, demo: DemoRestore): ResultAsync<Restore, RestoreError> {
  const { restoreId, config } = demo;
  return options.catalog.resolve(DEMO_TENANT, config).andThen((resolved) => {
    const command: RestoreCommand = {
      type: "CreateRestore",
      data: {
        tenantId: DEMO_TENANT,
        restoreId,
        config,
        backup: { ...resolved, isEncrypted: demo.encrypted },
      },
    };
    const context = { ...SEED_CONTEXT, now: options.clock.now().toISOString() };
    return decide(initialState(), command, context).asyncAndThen((events) => {
      const after = fold(events, initialState());
      // decide only creates on an empty state, so the fold of its events is a restore.
      const restore = (after as Extract<typeof after, { type: "Existing" }>).restore;
      return options.repository.append({
        tenantId: DEMO_TENANT,
        restoreId,
        expectedVersion: 0,
        previous: null,
        events,
        restore,
      });
    });
  });
}

/**
 * The id sequence never goes back: GREATEST keeps it where it is once it
 * has passed the demo ids.
 */
function moveIdsPastDemo(client: SqlClient, schema: string): ResultAsync<void, RestoreError> {
  const sequence = `"${schema}".restore_ids`;
  return ResultAsync.fromThrowable(
    () =>
      client.query({
        text: `SELECT setval('${sequence}', GREATEST($1::bigint, (SELECT last_value FROM ${sequence})))`,
        values: [DEMO_HIGHEST_RESTORE_ID],
      }),
    () => RestoreErrors.storageUnavailable(),
  )().andThen(() => okAsync(undefined));
}
