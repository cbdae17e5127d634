import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptPassword } from "@restorekit/crypto";
import { postgresIdGenerator, postgresRepository } from "@restorekit/postgres";
import { testAgentKeys } from "@restorekit/testing";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { checkCatalog } from "../src/catalog-data.js";
import { readConfig } from "../src/config.js";
import { DEMO_TENANT, demoCatalogData } from "../src/demo-data.js";
import { openStore } from "../src/open-store.js";
import { seedDemo } from "../src/seed-demo.js";
import { type RunningServer, startServer } from "../src/start-server.js";
import { staticCatalog } from "../src/static-catalog.js";
import { call, startRestore, waitForState } from "./support/api.js";

// The server's parts in this process, on PGlite in memory: the seed, and the simulated agent as it
// walks restores through the app's own agent route.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A logger that keeps its lines, so a test can read what the server said. */
function memoryLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }),
    lines,
  };
}

async function serve(
  env: Record<string, string>,
  logger = memoryLogger().logger,
): Promise<RunningServer> {
  const config = readConfig({ PORT: "0", DATA_DIR: "memory://", ...env })._unsafeUnwrap();
  const server = (await startServer(config, logger))._unsafeUnwrap();
  cleanups.push(() => server.close());
  return server;
}

describe("seedDemo", () => {
  it("stores the demo restores once, 13689 encrypted, and moves the ids past them", async () => {
    const store = (
      await openStore({ kind: "pglite-memory" }, { schema: "restorekit" })
    )._unsafeUnwrap();
    cleanups.push(() => store.close());
    const repository = postgresRepository(store.client);
    const catalog = staticCatalog(
      checkCatalog(demoCatalogData(testAgentKeys().publicKey), "demo")._unsafeUnwrap(),
    );
    const options = {
      repository,
      catalog,
      client: store.client,
      schema: "restorekit",
      clock: { now: () => new Date() },
    };

    expect((await seedDemo(options))._unsafeUnwrap()).toEqual({
      created: [1394, 13692, 13689],
      found: [],
    });
    expect((await seedDemo(options))._unsafeUnwrap()).toEqual({
      created: [],
      found: [1394, 13692, 13689],
    });
    for (const [id, encrypted] of [
      [1394, false],
      [13692, false],
      [13689, true],
    ] as const) {
      const restore = (await repository.load(DEMO_TENANT, id))._unsafeUnwrap();
      expect(restore).toMatchObject({
        state: "Creating",
        version: 1,
        backup: { isEncrypted: encrypted },
      });
      expect((await repository.readEvents(DEMO_TENANT, id))._unsafeUnwrap()).toHaveLength(1);
    }
    const ids = postgresIdGenerator(store.client);
    expect((await ids.nextRestoreId())._unsafeUnwrap()).toBe(13693);
    await store.client.query({ text: "SELECT setval('restorekit.restore_ids', 20000)" });
    await seedDemo(options);
    expect((await ids.nextRestoreId())._unsafeUnwrap()).toBe(20001);
  });
});

describe("the simulated agent", () => {
  it("reports stopped when a stop arrives while it works", async () => {
    // Its steps are a minute apart, so the stop always arrives mid-walk; the stop cuts the pause.
    const server = await serve({ RESTOREKIT_AGENT_STEP_MS: "60000" });
    const { url } = server.info;
    expect((await startRestore(url, 13692)).status).toBe(204);
    await waitForState(url, 13692, [1]);
    const stop = await call(url, "/v1.0/1234/restore/action-requested", {
      token: "demo-creator",
      method: "POST",
      body: { Action: "StopManual", Id: 13692 },
    });
    expect(stop.status).toBe(204);
    await waitForState(url, 13692, [4]);
    const events = await call(url, "/v1.0/1234/restore/13692/events", { token: "demo-observer" });
    expect((events.body as { Events: { type: string }[] }).Events.map((e) => e.type)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed",
      "RestoreStopRequested",
      "RestoreStopped",
    ]);
  });

  it("fails an encrypted restore whose password its key does not open, and logs no secret", async () => {
    const { logger, lines } = memoryLogger();
    const server = await serve({ RESTOREKIT_AGENT_STEP_MS: "10" }, logger);
    const { url } = server.info;
    // Encrypted for another agent's key of the same size: the server cannot tell, the agent can.
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const details = await call(url, "/v1.0/1234/restore/13689", { token: "demo-observer" });
    const modulus = (details.body as { PublicKey: { ModulusHex: string } }).PublicKey.ModulusHex;
    let hex = encryptPassword("pass phrase", stranger)._unsafeUnwrap();
    // Below the agent's modulus, so the server takes it.
    while (BigInt(`0x${hex}`) >= BigInt(`0x${modulus}`)) {
      hex = encryptPassword("pass phrase", stranger)._unsafeUnwrap();
    }
    expect((await startRestore(url, 13689, hex)).status).toBe(204);
    await waitForState(url, 13689, [5]);
    const report = await call(url, "/v1.0/1234/restore/report/13689", { token: "demo-observer" });
    expect(report.body).toMatchObject({
      State: "Failed",
      Reason: "UnableToDecryptVault",
      NumErrors: "1",
    });
    expect(lines.join("")).toContain("simulated agent: cannot decrypt");
    expect(lines.join("")).not.toContain(hex);
    expect(lines.join("")).not.toContain("pass phrase");
  });

  it("takes up at start the requests that waited while it was off", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "rk-in-process-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const off = await serve({ DATA_DIR: dataDir, RESTOREKIT_SIMULATED_AGENT: "0" });
    expect(off.info.simulatedAgent).toBeNull();
    expect((await startRestore(off.info.url, 13692)).status).toBe(204);
    expect(
      (await call(off.info.url, "/v1.0/1234/restore/13692", { token: "demo-observer" })).body,
    ).toMatchObject({
      RestoreStateId: 6,
    });
    await off.close();

    const on = await serve({ DATA_DIR: dataDir, RESTOREKIT_AGENT_STEP_MS: "10" });
    expect(on.info.demo?.seeded).toEqual({ created: [], found: [1394, 13692, 13689] });
    await waitForState(on.info.url, 13692, [3]);
  });
});

/** An HS256 JWT, signed as any issuer would. */
function jwt(secret: string, claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

describe("tokens outside demo mode", () => {
  it("takes a tokens file's tokens and JWTs signed with the secret, and nothing else", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-tokens-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const tokensFile = join(dir, "tokens.json");
    writeFileSync(
      tokensFile,
      JSON.stringify([{ token: "file-observer-9c2e", tenant: "1234", roles: ["observer"] }]),
    );
    const secret = "a-secret-of-at-least-32-bytes-for-hs256";
    const server = await serve({
      RESTOREKIT_DEMO: "0",
      RESTOREKIT_TOKENS_FILE: tokensFile,
      RESTOREKIT_JWT_SECRET: secret,
      RESTOREKIT_JWT_TENANT_CLAIM: "tid",
    });
    expect(server.info.tokens).toEqual([
      `1 tokens from ${tokensFile}`,
      "JWTs signed with RESTOREKIT_JWT_SECRET",
    ]);
    const read = (token: string) => call(server.info.url, "/v1.0/1234/restore/1", { token });
    const exp = Math.floor(Date.now() / 1000) + 600;
    expect((await read("file-observer-9c2e")).status).toBe(404);
    expect(
      (await read(jwt(secret, { sub: "ana", tid: "1234", roles: ["cloudbackup:admin"], exp })))
        .status,
    ).toBe(404);
    expect(
      (await read(jwt(secret, { sub: "ana", tid: "5678", roles: ["cloudbackup:admin"], exp })))
        .status,
    ).toBe(403);
    expect(
      (await read(jwt("another-secret-of-at-least-32-bytes!!", { sub: "ana", tid: "1234", exp })))
        .status,
    ).toBe(401);
    expect((await read("demo-admin")).status).toBe(401);
  });

  it("refuses to start on a tokens file it cannot read or use, naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-tokens-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const tokensFile = join(dir, "tokens.json");
    writeFileSync(tokensFile, JSON.stringify([{ token: "t", tenant: "1234", role: ["admin"] }]));
    const start = (env: Record<string, string>) =>
      startServer(
        readConfig({ PORT: "0", DATA_DIR: "memory://", ...env })._unsafeUnwrap(),
        memoryLogger().logger,
      );
    const bad = await start({ RESTOREKIT_DEMO: "0", RESTOREKIT_TOKENS_FILE: tokensFile });
    expect(bad._unsafeUnwrapErr().message).toContain(
      `The configuration is invalid:\n  RESTOREKIT_TOKENS_FILE (${tokensFile}): The tokens file is invalid: 0.role: is not a key`,
    );
    const missing = await start({ RESTOREKIT_TOKENS_FILE: join(dir, "none.json") });
    expect(missing._unsafeUnwrapErr().message).toContain(`none.json cannot be read (ENOENT)`);
    const duplicate = join(dir, "duplicate.json");
    writeFileSync(
      duplicate,
      JSON.stringify([{ token: "demo-admin", tenant: "1234", roles: ["admin"] }]),
    );
    expect((await start({ RESTOREKIT_TOKENS_FILE: duplicate }))._unsafeUnwrapErr().code).toBe(
      "invalid_config",
    );
  });
});

describe("the running server", () => {
  it("answers /readyz while its store answers, and closes cleanly twice", async () => {
    const server = await serve({ RESTOREKIT_DEMO: "0" });
    expect((await call(server.info.url, "/readyz")).status).toBe(200);
    expect(server.info.demo).toBeNull();
    await server.close();
    await server.close();
    await expect(fetch(`${server.info.url}/healthz`)).rejects.toThrow();
  });
});
