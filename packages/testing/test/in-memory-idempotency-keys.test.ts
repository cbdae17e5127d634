import { idempotencyKeysContract } from "../src/contract/index.js";
import { inMemoryRepository } from "../src/index.js";

idempotencyKeysContract("in-memory idempotency keys", async () => {
  const repository = inMemoryRepository();
  const keys = repository.idempotencyKeys;
  return {
    keys,
    repository,
    row: async (scope, key) => {
      const row = keys.row(scope, key);
      return row === null ? null : { fingerprint: row.fingerprint, response: row.response };
    },
  };
});
