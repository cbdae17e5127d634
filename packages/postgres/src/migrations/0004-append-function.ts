import type { Migration } from "./migration.js";

/**
 * The append as a function, for Citus: there a statement that inserts
 * through a data-modifying CTE is split into steps run one after the other
 * across the cluster, while a call to a function distributed by its tenant
 * argument is sent whole to the node holding that tenant's shard and runs
 * there in one round trip. On a single Postgres the repository keeps its
 * one-statement append; the function is there too, so every database has
 * the same schema. Never edit it once shipped: add the next migration
 * instead.
 */
export const appendFunction: Migration = Object.freeze({
  version: 4,
  name: "0004_append_function.sql",
  sql: `-- restorekit 0004: the append as one function call, which Citus runs on the tenant's shard.
--
-- append_restore writes a restore's new row (or its first, for expected version 0), its events
-- and, for a change made under an Idempotency-Key, the key's response, all or nothing, and says
-- whether the row changed. false: the restore exists already (a create), or it is not at the
-- expected version (an update); nothing was written.
--
-- p_row: the new row as a JSON object keyed by column name (its key columns are ignored: the
--   key is p_tenant_id and p_restore_id, which decide the shard).
-- p_events: the events as a JSON array of {type, from, to, actorType, actorId, at, requestId,
--   data}; they get seq p_expected_version + 1, + 2, ...
-- p_sealed_password: the sealed password to store, or NULL to keep the stored one. A row that
--   does not hold one (password_sealed false) never keeps one.
-- p_response, p_principal, p_key: the response to store in the claimed key's row, only when
--   the restore's row changed; p_key NULL when the change has no key.
--
-- Every statement names p_tenant_id, so on Citus each one stays on the shard the call was sent to.
-- SET search_path FROM CURRENT keeps the schema migrate() created it in, whatever the caller's.
CREATE FUNCTION append_restore(
  p_tenant_id         text,
  p_restore_id        bigint,
  p_expected_version  integer,
  p_row               json,
  p_events            json,
  p_sealed_password   bytea,
  p_response          json,
  p_principal         text,
  p_key               text
) RETURNS boolean
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $append$
DECLARE
  r restores;
  e record;
BEGIN
  r := json_populate_record(NULL::restores, p_row);
  IF p_expected_version = 0 THEN
    INSERT INTO restores (
      tenant_id, restore_id, state_id, version, backup_id, backup_machine_id,
      destination_machine_id, destination_path, overwrite_files, backup_configuration_id,
      backup_configuration_name, restore_point, backup_machine_name, backup_flavor,
      backup_data_center, destination_machine_name, is_encrypted, public_key_modulus_hex,
      public_key_exponent_hex, password_sealed, sealed_password, started_time, ended_time,
      files_restored, bytes_restored, errors, created_at, updated_at, total_bytes,
      bytes_remaining)
    VALUES (
      p_tenant_id, p_restore_id, r.state_id, r.version, r.backup_id, r.backup_machine_id,
      r.destination_machine_id, r.destination_path, r.overwrite_files, r.backup_configuration_id,
      r.backup_configuration_name, r.restore_point, r.backup_machine_name, r.backup_flavor,
      r.backup_data_center, r.destination_machine_name, r.is_encrypted, r.public_key_modulus_hex,
      r.public_key_exponent_hex, r.password_sealed,
      CASE WHEN r.password_sealed THEN p_sealed_password END,
      r.started_time, r.ended_time, r.files_restored, r.bytes_restored, r.errors, r.created_at,
      r.updated_at, r.total_bytes, r.bytes_remaining)
    ON CONFLICT (tenant_id, restore_id) DO NOTHING;
  ELSE
    UPDATE restores AS t SET
      state_id = r.state_id, version = r.version, backup_id = r.backup_id,
      backup_machine_id = r.backup_machine_id, destination_machine_id = r.destination_machine_id,
      destination_path = r.destination_path, overwrite_files = r.overwrite_files,
      backup_configuration_id = r.backup_configuration_id,
      backup_configuration_name = r.backup_configuration_name, restore_point = r.restore_point,
      backup_machine_name = r.backup_machine_name, backup_flavor = r.backup_flavor,
      backup_data_center = r.backup_data_center,
      destination_machine_name = r.destination_machine_name, is_encrypted = r.is_encrypted,
      public_key_modulus_hex = r.public_key_modulus_hex,
      public_key_exponent_hex = r.public_key_exponent_hex, password_sealed = r.password_sealed,
      sealed_password = CASE WHEN r.password_sealed
        THEN coalesce(p_sealed_password, t.sealed_password) END,
      started_time = r.started_time, ended_time = r.ended_time,
      files_restored = r.files_restored, bytes_restored = r.bytes_restored, errors = r.errors,
      created_at = r.created_at, updated_at = r.updated_at, total_bytes = r.total_bytes,
      bytes_remaining = r.bytes_remaining
    WHERE t.tenant_id = p_tenant_id AND t.restore_id = p_restore_id
      AND t.version = p_expected_version;
  END IF;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  -- One INSERT ... VALUES per event (nearly always one): an INSERT ... SELECT would be pulled
  -- through the node as a distributed INSERT ... SELECT rather than written to the local shard.
  FOR e IN SELECT doc, n FROM json_array_elements(p_events) WITH ORDINALITY AS x(doc, n) LOOP
    INSERT INTO restore_events (
      tenant_id, restore_id, seq, type, from_state_id, to_state_id, actor_type, actor_id, at,
      request_id, data)
    VALUES (
      p_tenant_id, p_restore_id, p_expected_version + e.n::integer, e.doc->>'type',
      (e.doc->>'from')::smallint, (e.doc->>'to')::smallint, e.doc->>'actorType',
      e.doc->>'actorId', (e.doc->>'at')::timestamptz, e.doc->>'requestId', e.doc->'data');
  END LOOP;
  IF p_key IS NOT NULL THEN
    UPDATE idempotency_keys SET response = p_response, locked_until = NULL
    WHERE tenant_id = p_tenant_id AND principal = p_principal AND key = p_key
      AND response IS NULL;
  END IF;
  RETURN true;
END
$append$;
`,
});
