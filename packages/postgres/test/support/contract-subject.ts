import type { ContractSubject } from "@restorekit/testing/contract";
import {
  migrate,
  type PostgresRepositoryOptions,
  postgresRepository,
  type SqlClient,
} from "../../src/index.js";
import { rawInspector } from "./raw-inspector.js";

/** A migrated schema of its own for one test, dropped when the test closes it. */
export async function freshSubject(
  client: SqlClient,
  schema: string,
  options: Omit<PostgresRepositoryOptions, "schema"> = {},
): Promise<ContractSubject> {
  const migrated = await migrate(client, { schema });
  if (migrated.isErr()) throw new Error(`migrate failed: ${migrated.error.code}`);
  const repository = postgresRepository(client, { ...options, schema });
  return {
    repository,
    inspect: rawInspector(client, schema),
    settled: () => repository.flushNotifications(),
    conflictsCarryCurrent: true,
    close: async () => {
      await repository.flushNotifications();
      await dropSchema(client, schema);
    },
  };
}

export async function dropSchema(client: SqlClient, schema: string): Promise<void> {
  await client.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` });
}
