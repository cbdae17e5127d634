import { createRestoreApp, staticTokens } from "@restorekit/hono";
import { DEFAULT_TENANT, testEnvironment } from "@restorekit/testing";
import { describe, expect, it } from "vitest";
import { createRestoreClient } from "../src/index.js";

// Create, start and stop carry an Idempotency-Key when the server keeps them, and none once a
// server has said it keeps none: against a real app in process, with and without a key store.

const BODY = {
  BackupId: 133599,
  BackupMachineId: 156953,
  DestinationMachineId: 156751,
  DestinationPath: "C:\\Restore\\",
};

const SILENT = { info() {}, warn() {}, error() {} };

function serverAndClient({ keys, clientKeys = true }: { keys: boolean; clientKeys?: boolean }) {
  const env = testEnvironment();
  const tokens = staticTokens([{ token: "admin", tenantId: DEFAULT_TENANT, roles: ["admin"] }]);
  if (tokens.isErr()) throw new Error(tokens.error.message);
  const app = createRestoreApp({
    service: env.service,
    tokens: tokens.value,
    logger: SILENT,
    ...(keys ? { idempotencyKeys: env.repository.idempotencyKeys } : {}),
  });
  const seen: { key: string | null; status: number }[] = [];
  const client = createRestoreClient({
    baseUrl: "http://restores.example",
    tenantId: DEFAULT_TENANT,
    token: "admin",
    idempotencyKeys: clientKeys,
    fetch: async (request) => {
      const response = await app.fetch(request);
      seen.push({ key: request.headers.get("idempotency-key"), status: response.status });
      return response;
    },
  });
  return { client, seen };
}

describe("the client's idempotency keys", () => {
  it("are sent to a server that keeps them, a fresh one per change", async () => {
    const { client, seen } = serverAndClient({ keys: true });
    const created = (await client.create(BODY))._unsafeUnwrap();
    const id = created.details.RestoreId;
    expect((await client.start(id)).isOk()).toBe(true);
    expect((await client.stop(id)).isOk()).toBe(true);
    expect(seen.map(({ status }) => status)).toEqual([200, 204, 204]);
    const keys = seen.map(({ key }) => key);
    expect(keys.every((key) => key !== null && /^[0-9a-f]{32}$/.test(key))).toBe(true);
    expect(new Set(keys).size).toBe(3);
  });

  it("are dropped for a server that refuses them: asked once more without, then never sent", async () => {
    const { client, seen } = serverAndClient({ keys: false });
    const created = await client.create(BODY);
    expect(created.isOk()).toBe(true);
    const id = created._unsafeUnwrap().details.RestoreId;
    expect((await client.start(id))._unsafeUnwrap().state).toBe("StartRequested");
    expect((await client.stop(id))._unsafeUnwrap().state).toBe("Stopped");
    // The refusal came before anything was done: one restore, and its first request refused.
    expect(seen.map(({ status }) => status)).toEqual([400, 200, 204, 204]);
    expect(seen.map(({ key }) => key !== null)).toEqual([true, false, false, false]);
    const details = (await client.get(id))._unsafeUnwrap().details;
    expect(details.RestoreId).toBe(id);
  });

  it("are never sent when switched off", async () => {
    const { client, seen } = serverAndClient({ keys: true, clientKeys: false });
    const id = (await client.create(BODY))._unsafeUnwrap().details.RestoreId;
    expect((await client.start(id)).isOk()).toBe(true);
    expect(seen).toEqual([
      { key: null, status: 200 },
      { key: null, status: 204 },
    ]);
  });
});
