import { createRestoreApp, type RequestLogger, staticTokens } from "@restorekit/hono";
import { DEFAULT_TENANT, testEnvironment } from "@restorekit/testing";
import pino from "pino";
import { describe, expect, it } from "vitest";

const TOKEN = "admin-token-0001";

function tokens() {
  const built = staticTokens([
    { token: TOKEN, tenantId: DEFAULT_TENANT, roles: ["cloudbackup:admin"] },
  ]);
  if (built.isErr()) throw new Error(built.error.message);
  return built.value;
}

/** The app over the in-memory service, logging to the logger given. */
async function appWith(logger: RequestLogger) {
  const env = testEnvironment();
  const created = await env.createRestore();
  if (created.isErr()) throw new Error(created.error.code);
  const app = createRestoreApp({ service: env.service, tokens: tokens(), logger, docs: false });
  const start = (requestId: string) =>
    app.request(`/v1.0/${DEFAULT_TENANT}/restore/action-requested`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-auth-token": TOKEN,
        "x-request-id": requestId,
      },
      body: JSON.stringify({ Action: "StartManual", Id: created.value.restoreId }),
    });
  return { start };
}

function pinoToMemory(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe("the request line and the logger's level", () => {
  it("below info: no request line, and the request id is still echoed", async () => {
    const { logger, lines } = pinoToMemory("warn");
    const { start } = await appWith(logger);
    const answer = await start("quiet-1");
    expect(answer.status).toBe(204);
    expect(answer.headers.get("x-request-id")).toBe("quiet-1");
    expect(lines).toEqual([]);
  });

  it("at info: one request line with the route's pattern, status and duration", async () => {
    const { logger, lines } = pinoToMemory("info");
    const { start } = await appWith(logger);
    const answer = await start("loud-1");
    expect(answer.headers.get("x-request-id")).toBe("loud-1");
    expect(lines).toEqual([
      expect.objectContaining({
        msg: "request",
        requestId: "loud-1",
        method: "POST",
        route: "/v1.0/:tenantId/restore/action-requested",
        status: 204,
        ms: expect.any(Number),
      }),
    ]);
  });

  it("follows a level changed while the app runs", async () => {
    const { logger, lines } = pinoToMemory("warn");
    const { start } = await appWith(logger);
    await start("before-1");
    logger.level = "info";
    await start("after-1");
    logger.level = "error";
    await start("after-2");
    expect(lines.map((line) => line.requestId)).toEqual(["after-1"]);
  });

  it("a logger that cannot tell its level gets every request line", async () => {
    const infos: object[] = [];
    const logger: RequestLogger = {
      info: (fields) => void infos.push(fields),
      warn: () => undefined,
      error: () => undefined,
    };
    const { start } = await appWith(logger);
    await start("plain-1");
    await start("plain-2");
    expect(infos).toEqual([
      expect.objectContaining({ requestId: "plain-1", status: 204 }),
      expect.objectContaining({ requestId: "plain-2", status: 204 }),
    ]);
  });
});
