import { RestoreErrors } from "@restorekit/core";
import { expect, it } from "vitest";
import { encryptedPasswordFor, reachState, statePatch } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import { THROWING_TOKEN } from "../support/token-registry.js";

const BARE_500 = {
  instanceFault: { code: 500, message: "An internal error occurred.", details: "internal_error" },
};

/** The forms a byte string could take in a log line. */
function textForms(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes);
  return [
    buffer.toString("hex"),
    buffer.toString("hex").toUpperCase(),
    buffer.toString("base64"),
    buffer.toString("base64url"),
    JSON.stringify([...bytes]).slice(1, 60),
  ];
}

routeSuite("the request log", (harness) => {
  it("holds no token, EncryptedPassword or sealed value, whatever the requests carried", async () => {
    const tenant = harness().tenant();
    const log = harness().log;
    log.clear();
    const passphrase = "log-canary passphrase 4b1d";
    const encrypted = encryptedPasswordFor(passphrase);

    const restoreId = await tenant.create({ encrypted: true });
    // A malformed copy first (rejected), then the real one, with its hex wrapped in spaces.
    const wrapped = encrypted.replace(/(.{64})/g, "$1 ");
    expect(
      (await tenant.act(restoreId, "StartManual", { encryptedPassword: `${encrypted}00` })).status,
    ).toBe(400);
    expect(
      (await tenant.act(restoreId, "StartManual", { encryptedPassword: wrapped })).status,
    ).toBe(204);
    const sealed = await harness().store.readSealedPassword(tenant.id, restoreId);
    if (sealed.isErr() || sealed.value === null) throw new Error("the password was not sealed");

    const released = await tenant.send("GET", tenant.v2(`/restores/${restoreId}/password`), {
      as: "agent",
    });
    expect(released.status).toBe(200);
    // The body of a broken request holds the password too: it is never logged.
    const broken = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
      body: `{"Action":"StartManual","Id":${restoreId},"EncryptedPassword":'${encrypted}'}`,
    });
    expect(broken.status).toBe(400);
    expect(broken.text).not.toContain(encrypted);
    for (const as of ["unknown", "expired", "otherAdmin", "otherAgent", "observer"] as const) {
      await tenant.send("GET", tenant.v2(`/restores/${restoreId}/password`), { as });
      await tenant.send("GET", tenant.v1(`/restore/${restoreId}`), { as });
    }
    // A token that makes the verifier throw.
    const crashed = await tenant.send("GET", tenant.v1(`/restore/${restoreId}`), {
      token: THROWING_TOKEN,
      requestId: "verifier-crash-1",
    });
    expect(crashed.status).toBe(500);
    expect(crashed.json).toEqual(BARE_500);
    for (const state of ["queued", "in_progress", "completed"]) {
      expect((await tenant.report(restoreId, statePatch(state))).status).toBe(204);
    }

    const text = log.text();
    expect(log.lines().length).toBeGreaterThanOrEqual(20);
    const secrets = [
      ...Object.values(tenant.tokens),
      THROWING_TOKEN,
      passphrase,
      encrypted,
      encrypted.toLowerCase(),
      encrypted.slice(0, 32),
      encrypted.slice(-32),
      ...textForms(sealed.value),
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/[0-9A-Fa-f]{64}/);
    // The crash is logged under its request id, with no detail of the token.
    expect(
      log.lines().some((line) => line.level === 50 && line.requestId === "verifier-crash-1"),
    ).toBe(true);
  });

  it("a store that fails with an internal error: a bare instanceFault, and an error line with the request id", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "Queued");
    const log = harness().log;
    log.clear();
    harness().repository.failNext("load", RestoreErrors.internal());
    const answer = await tenant.send("GET", tenant.v1(`/restore/${restoreId}`), {
      requestId: "store-threw-1",
    });
    expect(answer.status).toBe(500);
    expect(answer.text).toBe(JSON.stringify(BARE_500));
    expect(answer.headers.get("x-request-id")).toBe("store-threw-1");

    const lines = log.lines().filter((line) => line.requestId === "store-threw-1");
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, code: "internal_error", status: 500 }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ msg: "request", status: 500 }));
  });

  it("a store that throws: 503 (the store is taken for unreachable), its words in neither body nor log", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "Queued");
    const log = harness().log;
    log.clear();
    const words = 'relation "restores" does not exist: SELECT * FROM restores WHERE token = $1';
    harness().repository.throwNext("load", new Error(words));
    const answer = await tenant.send("GET", tenant.v1(`/restore/${restoreId}`), {
      requestId: "store-threw-1",
    });
    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({
      serviceUnavailable: {
        code: 503,
        message: "The restore store is unavailable; retry shortly.",
        details: "storage_unavailable",
      },
    });
    expect(log.text()).not.toContain("SELECT");
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ level: 50, requestId: "store-threw-1", status: 503 }),
    );
    // The cause went to the service's onError, for the operator.
    expect(harness().serviceFaults.at(-1)?.cause).toMatchObject({ message: words });
  });

  it("an append that fails inside the store: 500 on the agent's route in its dialect, nothing changed", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "Queued");
    const before = await tenant.snapshot(restoreId);
    harness().repository.failNext("append", RestoreErrors.internal());
    const answer = await tenant.report(restoreId, statePatch("in_progress"));
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({ message: "An internal error occurred.", errors: [] });
    const id = answer.headers.get("x-request-id");
    expect(
      harness()
        .log.lines()
        .some((line) => line.level === 50 && line.requestId === id),
    ).toBe(true);
    expect(await tenant.snapshot(restoreId)).toEqual(before);
  });
});
