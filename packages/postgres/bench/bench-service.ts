import { createRestoreService, type RestoreService } from "@restorekit/core";
import { fakeBackupCatalog, inMemoryPasswordVault } from "@restorekit/testing";
import { postgresIdGenerator, postgresRepository, type SqlClient } from "../src/index.js";
import { logStorageError } from "./storage-errors.js";

/**
 * Core's service as every service path of the bench builds it: the Postgres
 * repository and ids in `schema`, the testing catalog and vault, the system
 * clock; `knownRestores` left to the shipped default unless given.
 */
export function benchService(
  client: SqlClient,
  schema: string,
  knownRestores?: number,
): RestoreService {
  return createRestoreService({
    ...(knownRestores === undefined ? {} : { knownRestores }),
    repository: postgresRepository(client, { schema, onError: logStorageError }),
    ids: postgresIdGenerator(client, { schema }),
    catalog: fakeBackupCatalog(),
    vault: inMemoryPasswordVault(),
    clock: { now: () => new Date() },
  });
}
