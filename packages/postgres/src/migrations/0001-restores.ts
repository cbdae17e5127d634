import type { Migration } from "./migration.js";

/**
 * Restores, their event log and the restore id sequence. Shipped as
 * `migrations/0001_restores.sql`; the recorded name stays that, so schemas
 * migrated by earlier releases count it as applied. Never edit it: add the
 * next migration instead.
 */
export const restores: Migration = Object.freeze({
  version: 1,
  name: "0001_restores.sql",
  sql: `-- restorekit 0001: restores, their event log and the restore id sequence.
--
-- migrate() runs this in one transaction with search_path set to the chosen
-- schema, so no name here is schema-qualified. Every table is keyed by
-- tenant_id first, so the schema can be distributed by tenant (docs/postgres.md).

-- Restore ids are unique across tenants (v1 ids are integers).
CREATE SEQUENCE restore_ids AS bigint START WITH 1;

-- One row per restore: every field of the Restore that fold(events) gives.
CREATE TABLE restores (
  tenant_id                 text        NOT NULL,
  restore_id                bigint      NOT NULL,
  -- The v1 RestoreStateId (Creating 0, StartRequested 6, ... Stopped 4).
  state_id                  smallint    NOT NULL CHECK (state_id BETWEEN 0 AND 9),
  -- How many events the restore has; the optimistic concurrency check.
  version                   integer     NOT NULL CHECK (version > 0),
  backup_id                 bigint      NOT NULL,
  backup_machine_id         bigint      NOT NULL,
  destination_machine_id    bigint      NOT NULL,
  destination_path          text        NOT NULL,
  overwrite_files           boolean     NOT NULL,
  backup_configuration_id   bigint      NOT NULL,
  backup_configuration_name text        NOT NULL,
  restore_point             timestamptz NOT NULL,
  backup_machine_name       text        NOT NULL,
  backup_flavor             text        NOT NULL,
  backup_data_center        text        NOT NULL,
  destination_machine_name  text        NOT NULL,
  is_encrypted              boolean     NOT NULL,
  public_key_modulus_hex    text,
  public_key_exponent_hex   text,
  password_sealed           boolean     NOT NULL,
  -- The vault's sealed EncryptedPassword, held only while the restore holds one.
  sealed_password           bytea,
  started_time              timestamptz,
  ended_time                timestamptz,
  files_restored            bigint,
  bytes_restored            bigint,
  -- The finish report's error summary, kept as written.
  errors                    json,
  created_at                timestamptz NOT NULL,
  updated_at                timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, restore_id),
  CONSTRAINT restores_sealed_only_when_held CHECK (sealed_password IS NULL OR password_sealed),
  CONSTRAINT restores_public_key_whole
    CHECK ((public_key_modulus_hex IS NULL) = (public_key_exponent_hex IS NULL))
);

-- The agents' poll: one tenant's restores waiting for one agent
-- (StartRequested 6, StopRequested 7).
CREATE INDEX restores_pending_by_agent
  ON restores (tenant_id, destination_machine_id, restore_id)
  WHERE state_id IN (6, 7);

-- The append-only log; seq counts from 1 within a restore, without gaps.
CREATE TABLE restore_events (
  tenant_id     text        NOT NULL,
  restore_id    bigint      NOT NULL,
  seq           integer     NOT NULL CHECK (seq > 0),
  type          text        NOT NULL,
  -- NULL only for the event that created the restore.
  from_state_id smallint,
  to_state_id   smallint    NOT NULL,
  actor_type    text        NOT NULL CHECK (actor_type IN ('user', 'agent', 'system')),
  actor_id      text        NOT NULL,
  at            timestamptz NOT NULL,
  request_id    text        NOT NULL,
  -- The event's data as written; events never hold a secret.
  data          json        NOT NULL,
  PRIMARY KEY (tenant_id, restore_id, seq),
  FOREIGN KEY (tenant_id, restore_id) REFERENCES restores (tenant_id, restore_id)
);
`,
});
