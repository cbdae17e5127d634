import { setTimeout as sleep } from "node:timers/promises";
import {
  type ClientError,
  type ClientErrorOf,
  createRestoreClient,
  type RestoreClient,
  type RestoreClientOptions,
} from "@restorekit/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_URL as DATABASE_URL, postgresAnswers } from "../support/scratch-database.js";
import { ENCRYPTED_BACKUP, startTestServer, type TestServer } from "../support/test-server.js";
import {
  type ProxyDecision,
  type UnavailableProxy,
  unavailableProxy,
} from "../support/unavailable-proxy.js";

// The client against the real server process, on PGlite and on the real Postgres: the
// quickstart's flow, paging, errors by code, and retries through a proxy that fails on purpose.

const PASSPHRASE = "correct horse battery staple ✓";
const FINISHED = [3, 4, 5, 8];
const postgresUp = await postgresAnswers();
if (!postgresUp) {
  console.warn(
    `No Postgres server answers at ${DATABASE_URL}: the client's Postgres suite is skipped.`,
  );
}

/** Reads the restore until it has finished; a hang guard, not a timing assertion. */
async function finished(client: RestoreClient, id: number): Promise<number> {
  for (let i = 0; i < 600; i += 1) {
    const got = await client.get(id);
    if (got.isErr()) throw new Error(got.error.message);
    if (FINISHED.includes(got.value.details.RestoreStateId))
      return got.value.details.RestoreStateId;
    await sleep(100);
  }
  throw new Error(`restore ${id} did not finish`);
}

function expectCode<C extends ClientError["code"]>(error: ClientError, code: C): ClientErrorOf<C> {
  expect(error.code, error.message).toBe(code);
  return error as ClientErrorOf<C>;
}

function unwrapErr<T>(result: { isErr(): boolean; error?: unknown; value?: T }): ClientError {
  if (!result.isErr()) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error as ClientError;
}

describe.each([
  { backend: "pglite" as const, skip: false },
  { backend: "postgres" as const, skip: !postgresUp },
])("the client against the server on $backend", ({ backend, skip }) => {
  let test: TestServer;
  let proxy: UnavailableProxy;
  let decide: (index: number) => ProxyDecision = () => ({ kind: "forward" });
  const pauses: number[] = [];

  const client = (options: Partial<RestoreClientOptions> = {}) =>
    createRestoreClient({
      baseUrl: proxy.url,
      tenantId: "1234",
      token: "demo-creator",
      // The pauses are recorded and not taken: what is checked is what the client asked for.
      retry: { sleep: async (ms) => void pauses.push(ms), ...options.retry },
      ...options,
    });

  beforeAll(async () => {
    if (skip) return;
    test = await startTestServer(backend);
    proxy = await unavailableProxy(test.url, (_, index) => decide(index));
  });

  afterAll(async () => {
    await proxy?.close();
    await test?.close();
  });

  it.skipIf(skip)(
    "creates an encrypted restore and starts it with a passphrase; the agent opens that passphrase and completes it",
    async () => {
      const rk = client();
      const created = await rk.create({ ...ENCRYPTED_BACKUP, OverwriteFiles: true });
      if (created.isErr()) throw new Error(created.error.message);
      const { details, etag } = created.value;
      expect(details).toMatchObject({ IsEncrypted: true, RestoreStateId: 0, OverwriteFiles: true });
      expect(details.PublicKey?.ModulusHex).toMatch(/^[0-9A-F]{512}$/);
      expect(etag).toBe('"1"');

      const before = proxy.seen.length;
      const started = await rk.start(details.RestoreId, {
        password: PASSPHRASE,
        ifMatch: etag ?? "*",
      });
      if (started.isErr()) throw new Error(started.error.message);
      expect(started.value).toMatchObject({
        restoreId: details.RestoreId,
        state: "StartRequested",
        stateId: 6,
      });

      // What went over the wire: the passphrase encrypted for the agent, never in clear.
      const sent = proxy.seen.slice(before).find((seen) => seen.url.endsWith("/action-requested"));
      expect(sent?.body).not.toContain(PASSPHRASE);
      const body = JSON.parse(sent?.body ?? "{}") as { EncryptedPassword: string };
      expect(body.EncryptedPassword).toMatch(/^[0-9A-F]{512}$/);
      expect(test.decrypt(body.EncryptedPassword)).toBe(PASSPHRASE);
      expect(sent?.headers["idempotency-key"]).toMatch(/^[0-9a-f]{32}$/);

      expect(await finished(rk, details.RestoreId)).toBe(3);
      const report = await rk.report(details.RestoreId);
      expect(report._unsafeUnwrap()).toMatchObject({
        State: "Completed",
        NumFilesRestored: "120",
        Reason: null,
      });
      expect(test.server.output()).toContain("simulated agent: decrypted the restore's password");
      expect(test.server.output()).not.toContain(PASSPHRASE);
    },
  );

  it.skipIf(skip)(
    "a passphrase encrypted with a padding the agent does not use fails the restore: the agent checks what it opens",
    async () => {
      const created = await client().create(ENCRYPTED_BACKUP);
      const id = created._unsafeUnwrap().details.RestoreId;
      const started = await client({ padding: "oaep-sha256" }).start(id, { password: PASSPHRASE });
      expect(started.isOk()).toBe(true);
      expect(await finished(client(), id)).toBe(5);
      expect((await client().report(id))._unsafeUnwrap().Reason).toBe("UnableToDecryptVault");
    },
  );

  it.skipIf(skip)(
    "follows the event log over several pages, each event once and in order",
    async () => {
      const created = await client().create({
        ...ENCRYPTED_BACKUP,
        BackupId: "133599",
        BackupMachineId: 156953,
      });
      const id = created._unsafeUnwrap().details.RestoreId;
      (await client().start(id))._unsafeUnwrap();
      await finished(client(), id);

      const pages = [];
      for await (const page of client().events(id, { pageSize: 2 }))
        pages.push(page._unsafeUnwrap());
      const seqs = pages.flatMap((page) => page.events.map((event) => event.seq));
      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(
        pages.slice(0, -1).every((page) => page.events.length === 2 && page.next !== null),
      ).toBe(true);
      expect(pages.at(-1)?.next).toBeNull();
      expect(pages[0]?.events[0]?.type).toBe("RestoreCreated");
      expect(pages.flatMap((page) => page.events).at(-1)?.type).toBe("RestoreFinished");
    },
  );

  it.skipIf(skip)("gives the server's errors with their code, status and v1 fault", async () => {
    const missing = expectCode(unwrapErr(await client().get(99_999_999)), "restore_not_found");
    expect(missing.status).toBe(404);
    expect(missing.fault).toEqual({
      itemNotFound: {
        code: 404,
        message: "Restore 99999999 was not found.",
        details: "restore_not_found",
      },
    });
    expect(missing.requestId).toMatch(/.+/);

    const created = (await client().create(ENCRYPTED_BACKUP))._unsafeUnwrap();
    const id = created.details.RestoreId;
    const required = expectCode(unwrapErr(await client().start(id)), "password_required");
    expect(required.status).toBe(400);
    expect(required.fault.badRequest?.details).toBe("password_required");

    expectCode(unwrapErr(await client().report(id)), "report_not_ready");
    expectCode(unwrapErr(await client().stop(id)), "restore_not_started");
    expectCode(unwrapErr(await client({ token: "demo-observer" }).stop(id)), "forbidden");
    expectCode(unwrapErr(await client({ token: "nobody" }).get(id)), "unauthenticated");

    // 409 and its kin: a version that moved on, a key sent again with another body.
    const updated = await client().update(
      id,
      { ...ENCRYPTED_BACKUP, DestinationPath: "D:\\" },
      {
        ifMatch: created.etag ?? "",
      },
    );
    expect(updated._unsafeUnwrap()).toMatchObject({ etag: '"2"', state: "Creating" });
    const stale = expectCode(
      unwrapErr(await client().start(id, { password: "x", ifMatch: '"1"' })),
      "precondition_failed",
    );
    expect(stale.status).toBe(412);
    const fixedKey = client({
      fetch: (request) => {
        request.headers.set("idempotency-key", `same-${id}`);
        return fetch(request);
      },
    });
    expect((await fixedKey.create(ENCRYPTED_BACKUP)).isOk()).toBe(true);
    const reused = expectCode(
      unwrapErr(await fixedKey.create({ ...ENCRYPTED_BACKUP, DestinationPath: "E:\\" })),
      "idempotency_key_reused",
    );
    expect(reused.status).toBe(422);
    const invalid = expectCode(
      unwrapErr(await client().create({ ...ENCRYPTED_BACKUP, DestinationPath: "" })),
      "invalid_request",
    );
    expect(invalid.fault.badRequest?.details).toContain("DestinationPath");
    expectCode(unwrapErr(await client().start(1394, { password: "x" })), "restore_not_encrypted");
  });

  it.skipIf(skip)(
    "retries 503s at least Retry-After apart with the same Idempotency-Key, and stops at the budget",
    async () => {
      const id = (await client().create(ENCRYPTED_BACKUP))._unsafeUnwrap().details.RestoreId;
      pauses.length = 0;
      const first = proxy.seen.length;
      decide = (index) =>
        index - first < 2 ? { kind: "unavailable", retryAfter: "2" } : { kind: "forward" };
      const started = await client().start(id, { password: PASSPHRASE });
      decide = () => ({ kind: "forward" });
      expect(started._unsafeUnwrap().state).toBe("StartRequested");
      // A GET for the key (503, 503, 200), then the start at once.
      const tries = proxy.seen.slice(first);
      expect(tries.map((seen) => seen.method)).toEqual(["GET", "GET", "GET", "POST"]);
      expect(pauses).toEqual([2000, 2000]);

      pauses.length = 0;
      const stopFirst = proxy.seen.length;
      decide = () => ({ kind: "unavailable", retryAfter: "1" });
      const gaveUp = await client({ retry: { attempts: 3 } }).stop(id);
      decide = () => ({ kind: "forward" });
      const exhausted = expectCode(unwrapErr(gaveUp), "retry_budget_exhausted");
      expect(exhausted.attempts).toBe(3);
      expect(exhausted.last).toMatchObject({
        code: "storage_unavailable",
        status: 503,
        retryAfterMs: 1000,
      });
      const stops = proxy.seen.slice(stopFirst);
      expect(stops).toHaveLength(3);
      expect(new Set(stops.map((seen) => seen.headers["idempotency-key"])).size).toBe(1);
      expect(pauses.every((ms) => ms >= 1000)).toBe(true);

      // A waiting budget the server's Retry-After would overrun ends the call before waiting.
      pauses.length = 0;
      decide = () => ({ kind: "unavailable", retryAfter: "5" });
      const overBudget = await client({ retry: { budgetMs: 3000 } }).get(id);
      decide = () => ({ kind: "forward" });
      expect(expectCode(unwrapErr(overBudget), "retry_budget_exhausted").attempts).toBe(1);
      expect(pauses).toEqual([]);
    },
  );

  it.skipIf(skip)(
    "retries a create whose answer was lost with the same key: one restore only",
    async () => {
      const first = proxy.seen.length;
      decide = (index) => (index === first ? { kind: "drop-answer" } : { kind: "forward" });
      const created = await client().create(ENCRYPTED_BACKUP);
      decide = () => ({ kind: "forward" });
      const { RestoreId } = created._unsafeUnwrap().details;
      const puts = proxy.seen.slice(first).filter((seen) => seen.method === "PUT");
      expect(puts).toHaveLength(2);
      expect(puts[0]?.headers["idempotency-key"]).toBe(puts[1]?.headers["idempotency-key"]);
      // Ids come from a sequence: a second restore would be the next id, or the one before.
      expectCode(unwrapErr(await client().get(RestoreId + 1)), "restore_not_found");
      const previous = await client().get(RestoreId - 1);
      expect(
        previous.isOk() &&
          previous.value.details.DestinationPath === ENCRYPTED_BACKUP.DestinationPath &&
          previous.value.details.RestoreStateId === 0,
      ).toBe(false);
    },
  );
});
