import type { Migration } from "./migration.js";

/**
 * The `Idempotency-Key`s clients sent with their changes, each with the
 * first response, so a retry is answered without doing the change twice.
 * Never edit it once shipped: add the next migration instead.
 */
export const idempotencyKeys: Migration = Object.freeze({
  version: 3,
  name: "0003_idempotency_keys.sql",
  sql: `-- restorekit 0003: idempotency keys and the responses they replay.

CREATE TABLE idempotency_keys (
  tenant_id    text        NOT NULL,
  -- Who sent the key ("user:<id>" or "agent:<id>"): keys are scoped by tenant and sender.
  principal    text        NOT NULL,
  key          text        NOT NULL,
  -- SHA-256 (hex) of the request's method, route and body: the same key with
  -- another request is refused.
  fingerprint  text        NOT NULL,
  -- The first response ({status, headers, body}); NULL while the first request runs.
  response     json,
  -- While the first request runs: when its claim lapses, so a request lost
  -- with its process does not hold the key for a day.
  locked_until timestamptz,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, principal, key)
);

-- The purge of keys past their retention.
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
`,
});
