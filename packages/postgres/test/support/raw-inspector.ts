import { type RestoreEvent, type StoredEvent, stateFromId } from "@restorekit/core";
import type { RepositoryInspector } from "@restorekit/testing/contract";
import type { SqlClient } from "../../src/index.js";

const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Reads what the tables hold with plain SQL, building the domain shapes in
 * SQL (json_build_object, to_char), so it shares no code with the
 * repository's own row mapping.
 */
export function rawInspector(client: SqlClient, schema: string): RepositoryInspector {
  const s = `"${schema}"`;
  return {
    async row(tenantId, restoreId) {
      const { rows } = await client.query({
        text: `SELECT sealed_password, json_build_object(
            'tenantId', tenant_id, 'restoreId', restore_id, 'state', state_id, 'version', version,
            'config', json_build_object('backupId', backup_id, 'backupMachineId', backup_machine_id,
              'destinationMachineId', destination_machine_id, 'destinationPath', destination_path,
              'overwriteFiles', overwrite_files),
            'backup', json_build_object('backupConfigurationId', backup_configuration_id,
              'backupConfigurationName', backup_configuration_name,
              'restorePoint', ${iso("restore_point")}, 'backupMachineName', backup_machine_name,
              'backupFlavor', backup_flavor, 'backupDataCenter', backup_data_center,
              'destinationMachineName', destination_machine_name, 'isEncrypted', is_encrypted,
              'publicKey', CASE WHEN public_key_modulus_hex IS NULL THEN NULL ELSE json_build_object(
                'modulusHex', public_key_modulus_hex, 'exponentHex', public_key_exponent_hex) END),
            'passwordSealed', password_sealed,
            'progress', json_build_object('startedTime', ${iso("started_time")},
              'endedTime', ${iso("ended_time")}, 'filesRestored', files_restored,
              'bytesRestored', bytes_restored, 'totalBytes', total_bytes,
              'bytesRemaining', bytes_remaining, 'errors', errors),
            'createdAt', ${iso("created_at")}, 'updatedAt', ${iso("updated_at")}) AS restore
          FROM ${s}.restores WHERE tenant_id = $1 AND restore_id = $2`,
        values: [tenantId, restoreId],
      });
      const [row] = rows;
      if (row === undefined) return null;
      const restore = row.restore as { state: number };
      const sealed = row.sealed_password;
      return {
        restore: { ...restore, state: stateFromId(restore.state) },
        sealedPassword: sealed instanceof Uint8Array ? new Uint8Array(sealed) : null,
      } as Awaited<ReturnType<RepositoryInspector["row"]>>;
    },

    async events(tenantId, restoreId) {
      const { rows } = await client.query({
        text: `SELECT seq, json_build_object('type', type, 'data', data, 'metadata', json_build_object(
            'actor', json_build_object('type', actor_type, 'id',
              CASE WHEN actor_type = 'agent' THEN to_json(actor_id::bigint) ELSE to_json(actor_id) END),
            'at', ${iso("at")}, 'requestId', request_id)) AS event
          FROM ${s}.restore_events WHERE tenant_id = $1 AND restore_id = $2 ORDER BY seq`,
        values: [tenantId, restoreId],
      });
      return rows.map(
        (row): StoredEvent => ({ seq: Number(row.seq), event: row.event as RestoreEvent }),
      );
    },
  };
}

/** The from/to state ids the log records for each event, by seq. */
export async function transitions(
  client: SqlClient,
  schema: string,
  tenantId: string,
  restoreId: number,
): Promise<{ from: number | null; to: number }[]> {
  const { rows } = await client.query({
    text: `SELECT from_state_id, to_state_id FROM "${schema}".restore_events
      WHERE tenant_id = $1 AND restore_id = $2 ORDER BY seq`,
    values: [tenantId, restoreId],
  });
  return rows.map((row) => ({
    from: row.from_state_id === null ? null : Number(row.from_state_id),
    to: Number(row.to_state_id),
  }));
}
