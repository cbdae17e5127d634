import {
  arbActionRequestBody,
  arbAgentPatchBody,
  arbCreateRestoreBody,
  arbHostileActionRequestBody,
  arbHostileAgentPatchBody,
  arbHostileCreateRestoreBody,
} from "@restorekit/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer, SendOptions } from "../support/http-answer.js";
import { reachState } from "../support/reach-state.js";
import { type RestoreWorld, restoreWorld } from "../support/restore-world.js";
import type { RouteHarness } from "../support/route-harness.js";
import { routeSuite } from "../support/route-suite.js";
import { answerProblems } from "../support/sane-answer.js";
import { type ServedApp, serveApp } from "../support/served-app.js";

// Hostile bodies on the four routes that take one, on the in-memory store (the properties
// send thousands of requests). Every answer must be sane (no 5xx, a JSON error body in the
// route's dialect, no stack or SQL, an X-Request-Id), and a 4xx must change nothing.

type BodyRoute = "action" | "create" | "update" | "patch";
const LIMIT = 64 * 1024;
const BODY_ROUTES: readonly BodyRoute[] = ["action", "create", "update", "patch"];

interface Target {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly as: "admin" | "agent";
}

function targetOf(world: RestoreWorld, route: BodyRoute, restoreId: number): Target {
  const { tenant } = world;
  switch (route) {
    case "action":
      return {
        method: "POST",
        path: tenant.v1("/restore/action-requested"),
        contentType: "application/json",
        as: "admin",
      };
    case "create":
      return {
        method: "PUT",
        path: tenant.v1("/restore"),
        contentType: "application/json",
        as: "admin",
      };
    case "update":
      return {
        method: "POST",
        path: tenant.v1("/restore"),
        contentType: "application/json",
        as: "admin",
      };
    case "patch":
      return {
        method: "PATCH",
        path: tenant.v2(`/restores/${restoreId}`),
        contentType: "application/json-patch+json",
        as: "agent",
      };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Points a body at one of the world's restores now and then, so that it can reach one. */
function aimed(body: unknown, key: "Id" | "RestoreId", restoreId: number, aim: boolean): unknown {
  return aim && isObject(body) && Object.hasOwn(body, key) ? { ...body, [key]: restoreId } : body;
}

/** JSON values shaped like the route's bodies, valid or hostile. */
function structuredBody(route: BodyRoute, restoreId: number): fc.Arbitrary<unknown> {
  switch (route) {
    case "action":
      return fc
        .tuple(fc.oneof(arbActionRequestBody(), arbHostileActionRequestBody()), fc.boolean())
        .map(([body, aim]) => aimed(body, "Id", restoreId, aim));
    case "create":
      return fc.oneof(arbCreateRestoreBody(), arbHostileCreateRestoreBody());
    case "update":
      return fc
        .tuple(fc.oneof(arbCreateRestoreBody(), arbHostileCreateRestoreBody()), fc.boolean())
        .map(([body, aim]) => (isObject(body) && aim ? { ...body, RestoreId: restoreId } : body));
    case "patch":
      return fc.oneof(arbAgentPatchBody(), arbHostileAgentPatchBody());
  }
}

/** A body as bytes on the wire: JSON text of any value, broken JSON, any text, any bytes. */
function wireBody(route: BodyRoute, restoreId: number): fc.Arbitrary<string | Uint8Array> {
  const json = fc
    .oneof(structuredBody(route, restoreId), fc.jsonValue())
    .map((value) => JSON.stringify(value) ?? "null");
  return fc.oneof(
    { weight: 4, arbitrary: json },
    {
      weight: 2,
      arbitrary: fc
        .tuple(json, fc.nat(), fc.string({ maxLength: 3 }))
        .map(([text, at, junk]) => text.slice(0, at % (text.length + 1)) + junk),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  );
}

async function sendTo(
  harness: RouteHarness,
  world: RestoreWorld,
  target: Target,
  options: SendOptions,
): Promise<Answer> {
  return harness.send(target.method, target.path, {
    token: world.tenant.tokens[target.as],
    ...options,
  });
}

function expectSane(answer: Answer, target: Target, problem = false) {
  expect(answerProblems(answer, { path: target.path, method: target.method, problem })).toEqual([]);
}

routeSuite(
  "hostile bodies",
  (harness) => {
    let world: RestoreWorld;
    beforeAll(async () => {
      world = await restoreWorld(harness());
    });

    it("any body on any body route: a sane answer, and nothing changed by a 4xx", {
      timeout: 90_000,
    }, async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...BODY_ROUTES)
            .chain((route) =>
              fc
                .constantFrom(...world.allIds)
                .chain((restoreId) =>
                  fc.tuple(fc.constant(route), fc.constant(restoreId), wireBody(route, restoreId)),
                ),
            ),
          async ([route, restoreId, body]) => {
            runs += 1;
            const target = targetOf(world, route, restoreId);
            const before = await world.footprint();
            const answer = await sendTo(harness(), world, target, {
              body,
              contentType: target.contentType,
            });
            expectSane(answer, target);
            if (answer.status >= 400) expect(await world.footprint()).toEqual(before);
          },
        ),
        { numRuns: 200 },
      );
      expect(runs).toBeGreaterThanOrEqual(200);
    });

    describe("Content-Type", () => {
      // A StopManual on a restore in Creating: 400 restore_not_started whenever the body is
      // read. A restore of its own: the properties above may have started the world's.
      let creating: number;
      beforeAll(async () => {
        creating = await world.tenant.create();
      });
      const stopBody = () => JSON.stringify({ Action: "StopManual", Id: creating });
      const actionTarget = (): Target => targetOf(world, "action", creating);

      it.each([
        ["application/json", 400],
        ["application/json; charset=utf-8", 400],
        ["application/json;charset=UTF-8", 400],
        ['application/json; charset="utf-8"', 400],
        ["APPLICATION/JSON", 400],
        ["application/json; charset=latin1", 415],
        ["application/json; charset=utf-16", 415],
        ["application/json-patch+json", 415],
        ["text/plain", 415],
        ["text/json", 415],
        ["application/x-www-form-urlencoded", 415],
        ["multipart/form-data; boundary=xyz", 415],
        ["application/jsonp", 415],
        ["application/json, text/plain", 415],
        ["", 415],
      ])("%j on a v1 route: %i", async (contentType, status) => {
        const target = actionTarget();
        const before = await world.footprint(creating);
        const answer = await sendTo(harness(), world, target, { body: stopBody(), contentType });
        expect(answer.status).toBe(status);
        expectSane(answer, target);
        if (status === 415) {
          expect(answer.json).toMatchObject({
            badMediaType: { code: 415, details: "unsupported_media_type" },
          });
        } else {
          expect(answer.json).toMatchObject({ badRequest: { details: "restore_not_started" } });
        }
        expect(await world.footprint(creating)).toEqual(before);
      });

      it("a UTF-8 byte order mark before the JSON is no part of it", async () => {
        const target = actionTarget();
        const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
        const json = new TextEncoder().encode(stopBody());
        const answer = await sendTo(harness(), world, target, {
          body: new Uint8Array([...bom, ...json]),
        });
        expect(answer.status).toBe(400);
        expect(answer.json).toMatchObject({ badRequest: { details: "restore_not_started" } });
      });

      it("no Content-Type at all: 415", async () => {
        const target = actionTarget();
        const answer = await sendTo(harness(), world, target, {
          body: stopBody(),
          contentType: null,
        });
        expect(answer.status).toBe(415);
        expectSane(answer, target);
      });

      it.each([
        ["application/json-patch+json", 409],
        ["application/json", 409],
        ["application/json-patch+json; charset=utf-8", 409],
        ["application/merge-patch+json", 415],
        ["text/plain", 415],
      ])("%j on the agent's PATCH: %i", async (contentType, status) => {
        // A report of queued on the completed restore: 409 whenever the body is read.
        const target = targetOf(world, "patch", world.ids.Completed);
        const answer = await sendTo(harness(), world, target, {
          body: JSON.stringify([{ op: "replace", path: "/state", value: "queued" }]),
          contentType,
        });
        expect(answer.status).toBe(status);
        expectSane(answer, target);
      });

      it("any Content-Type: 415, or the same answer as application/json", {
        timeout: 60_000,
      }, async () => {
        const mediaType = fc.oneof(
          fc.string({ maxLength: 40 }),
          fc
            .tuple(
              fc.constantFrom("application", "text", "APPLICATION", "*", ""),
              fc.constantFrom("json", "JSON", "json-patch+json", "*", "plain", "problem+json"),
              fc.array(
                fc.tuple(
                  fc.constantFrom("charset", "CHARSET", "q", "boundary", ""),
                  fc.constantFrom("utf-8", "UTF-8", '"utf-8"', "utf8", "latin1", "", "="),
                ),
                { maxLength: 3 },
              ),
              fc.constantFrom(";", "; ", " ;"),
            )
            .map(
              ([type, sub, params, sep]) =>
                `${type}/${sub}${params.map(([k, v]) => `${sep}${k}=${v}`).join("")}`,
            ),
        );
        const target = actionTarget();
        await fc.assert(
          fc.asyncProperty(mediaType, async (contentType) => {
            const answer = await sendTo(harness(), world, target, {
              body: stopBody(),
              contentType,
            });
            expectSane(answer, target);
            expect([400, 415]).toContain(answer.status);
            if (answer.status === 400) {
              expect(answer.json).toMatchObject({ badRequest: { details: "restore_not_started" } });
            }
          }),
          { numRuns: 150 },
        );
      });
    });

    describe("bodies over the 64 KiB limit", () => {
      let creating: number;
      beforeAll(async () => {
        creating = await world.tenant.create();
      });
      /** A StopManual on a restore in Creating, padded with spaces to exactly `size` bytes. */
      const padded = (size: number) => {
        const body = JSON.stringify({ Action: "StopManual", Id: creating });
        return body + " ".repeat(size - body.length);
      };
      const chunked = (text: string, chunk: number) => {
        const bytes = new TextEncoder().encode(text);
        let at = 0;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (at >= bytes.length) {
              controller.close();
              return;
            }
            controller.enqueue(bytes.slice(at, at + chunk));
            at += chunk;
          },
        });
      };

      it("one byte over with Content-Length: 413 overLimit, and the body is not read", async () => {
        const target = targetOf(world, "action", creating);
        const body = padded(LIMIT + 1);
        const answer = await sendTo(harness(), world, target, {
          body,
          headers: { "content-length": String(body.length) },
        });
        expect(answer.status).toBe(413);
        expectSane(answer, target);
        expect(answer.json).toMatchObject({ overLimit: { code: 413, details: "body_too_large" } });
      });

      it("a declared length over the limit is refused before a byte is read", async () => {
        const target = targetOf(world, "action", creating);
        const answer = await sendTo(harness(), world, target, {
          body: padded(100),
          headers: { "content-length": String(10 * LIMIT) },
        });
        expect(answer.status).toBe(413);
      });

      it("exactly at the limit: read and decided (400 restore_not_started)", async () => {
        const target = targetOf(world, "action", creating);
        const answer = await sendTo(harness(), world, target, { body: padded(LIMIT) });
        expect(answer.status).toBe(400);
        expect(answer.json).toMatchObject({ badRequest: { details: "restore_not_started" } });
      });

      it("100k '[' (no Content-Length): 413", async () => {
        const target = targetOf(world, "patch", world.ids.Queued);
        const answer = await sendTo(harness(), world, target, {
          body: chunked("[".repeat(100_000), 8192),
          contentType: target.contentType,
        });
        expect(answer.status).toBe(413);
        expectSane(answer, target);
      });

      it("any size around the limit, streamed in any chunks or sent whole: 413 exactly when over", {
        timeout: 60_000,
      }, async () => {
        const before = await world.footprint(creating);
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: LIMIT - 64, max: LIMIT + 64 * 1024 }),
            fc.integer({ min: 1, max: 32 * 1024 }),
            fc.boolean(),
            fc.constantFrom<"action" | "create" | "update" | "patch">(...BODY_ROUTES),
            async (size, chunk, streamed, route) => {
              const target = targetOf(world, route, world.ids.Completed);
              const text = padded(size);
              const answer = await sendTo(harness(), world, target, {
                body: streamed ? chunked(text, chunk) : text,
                contentType: target.contentType,
              });
              expectSane(answer, target);
              if (size > LIMIT) expect(answer.status).toBe(413);
              else expect(answer.status).not.toBe(413);
            },
          ),
          { numRuns: 40 },
        );
        expect(await world.footprint(creating)).toEqual(before);
      });
    });

    describe("over a real socket (@hono/node-server on port 0)", () => {
      let served: ServedApp;
      beforeAll(async () => {
        served = await serveApp(harness().app);
      });
      afterAll(async () => {
        await served.close();
      });

      const post = (body: RequestInit["body"], headers: Record<string, string> = {}) =>
        fetch(`${served.origin}${world.tenant.v1("/restore/action-requested")}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-auth-token": world.tenant.tokens.admin,
            ...headers,
          },
          body,
          duplex: "half",
        } as RequestInit);

      it("a body over the limit with its Content-Length: 413", async () => {
        const response = await post("[".repeat(LIMIT + 1));
        expect(response.status).toBe(413);
        expect(response.headers.get("x-request-id")).toMatch(/^[\x21-\x7e]+$/);
        expect(await response.json()).toMatchObject({ overLimit: { code: 413 } });
      });

      it("a chunked body over the limit (no Content-Length): 413", async () => {
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 4 * LIMIT) {
              controller.close();
              return;
            }
            sent += 16 * 1024;
            controller.enqueue(new Uint8Array(16 * 1024).fill(0x5b));
          },
        });
        const response = await post(stream);
        expect(response.status).toBe(413);
        expect(await response.json()).toMatchObject({ overLimit: { details: "body_too_large" } });
      });

      it("a chunked body within the limit is read whole", async () => {
        const body = JSON.stringify({ Action: "StopManual", Id: world.ids.Completed });
        const bytes = new TextEncoder().encode(body);
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 7)
              controller.enqueue(bytes.slice(at, at + 7));
            controller.close();
          },
        });
        const response = await post(stream);
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({
          badRequest: { details: "restore_finished" },
        });
      });
    });

    describe("deep nesting under the limit", () => {
      it.each([
        ["65,536 unclosed '['", "invalid_json", "[".repeat(65_536)],
        ["32,768 nested arrays", "invalid_request", `${"[".repeat(32_768)}${"]".repeat(32_768)}`],
        [
          "10,000 nested objects",
          "invalid_request",
          `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`,
        ],
        [
          "an Id nested 20,000 arrays deep",
          "invalid_request",
          `{"Action":"StopManual","Id":${"[".repeat(20_000)}1${"]".repeat(20_000)}}`,
        ],
      ])("%s on every body route: 400 %s", async (_name, code, body) => {
        for (const route of BODY_ROUTES) {
          const target = targetOf(world, route, world.ids.Queued);
          const before = await world.footprint();
          // Problem details carry the error's code whatever the route's dialect.
          const answer = await sendTo(harness(), world, target, {
            body,
            contentType: target.contentType,
            accept: "application/problem+json",
          });
          expect(answer.status, route).toBe(400);
          expectSane(answer, target, true);
          expect((answer.json as { code: string }).code, route).toBe(code);
          expect(await world.footprint()).toEqual(before);
        }
      });
    });

    describe("__proto__, constructor and prototype keys", () => {
      const CREATE_FIELDS =
        '"BackupId":133599,"BackupMachineId":156953,"DestinationMachineId":156751,"DestinationPath":"C:\\\\x"';
      // Each body with the status it gets: a field only under a special key is no field at all,
      // and a special key beside complete fields is an unknown field, ignored.
      const CASES: ReadonlyArray<
        readonly [BodyRoute, "Creating" | "Queued" | "InProgress", (id: number) => string, number]
      > = [
        ["action", "Queued", (id) => `{"__proto__":{"Action":"StopManual","Id":${id}}}`, 400],
        ["action", "Queued", (id) => `{"constructor":{"Action":"StopManual","Id":${id}}}`, 400],
        ["action", "Queued", (id) => `{"prototype":{"Action":"StopManual","Id":${id}}}`, 400],
        ["action", "Queued", (id) => `{"Action":"StopManual","__proto__":{"Id":${id}}}`, 400],
        [
          "action",
          "Queued",
          (id) => `{"__proto__":{"polluted":"yes"},"Action":"StopManual","Id":${id}}`,
          204,
        ],
        [
          "action",
          "Queued",
          (id) =>
            `{"constructor":{"prototype":{"polluted":"yes"}},"Action":"StopManual","Id":${id}}`,
          204,
        ],
        [
          "patch",
          "InProgress",
          () => `[{"__proto__":{"op":"replace","path":"/state","value":"completed"}}]`,
          400,
        ],
        [
          "patch",
          "InProgress",
          () => `[{"op":"replace","path":"/__proto__","value":{"polluted":"yes"}}]`,
          400,
        ],
        [
          "patch",
          "InProgress",
          () => `[{"op":"replace","path":"/constructor/prototype","value":"completed"}]`,
          400,
        ],
        [
          "patch",
          "InProgress",
          () => `{"__proto__":[{"op":"replace","path":"/state","value":"completed"}]}`,
          400,
        ],
        ["create", "Creating", () => `{"__proto__":{${CREATE_FIELDS}}}`, 400],
        ["create", "Creating", () => `{${CREATE_FIELDS},"__proto__":{"IsEncrypted":true}}`, 200],
        ["update", "Creating", (id) => `{"__proto__":{"RestoreId":${id}},${CREATE_FIELDS}}`, 400],
        [
          "update",
          "Creating",
          (id) => `{"RestoreId":${id},"constructor":{"OverwriteFiles":true},${CREATE_FIELDS}}`,
          204,
        ],
      ];

      it.each(
        CASES.map(
          ([route, state, makeBody, status]) =>
            [makeBody(0), route, state, makeBody, status] as const,
        ),
      )("%s on the %s route (restore in %s)", async (_shown, route, state, makeBody, status) => {
        const { tenant } = world;
        const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
        const restoreId = await reachState(tenant, state);
        const before = await tenant.snapshot(restoreId);
        const target = targetOf(world, route, restoreId);
        const answer = await sendTo(harness(), world, target, {
          body: makeBody(restoreId),
          contentType: target.contentType,
        });
        expect(answer.status, answer.text).toBe(status);
        expectSane(answer, target);
        if (status >= 400) expect(await tenant.snapshot(restoreId)).toEqual(before);
        if (route === "create")
          expect((answer.json as { IsEncrypted?: unknown }).IsEncrypted).not.toBe(true);
        if (route === "update" && status === 204) {
          expect((await tenant.details(restoreId)).OverwriteFiles).toBe(false);
        }
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });
    });
  },
  { stores: ["memory"] },
);

routeSuite(
  "hostile bodies past a raised limit",
  (harness) => {
    let world: RestoreWorld;
    beforeAll(async () => {
      world = await restoreWorld(harness());
    });

    it.each([
      ["1,000,000 unclosed '['", () => "[".repeat(1_000_000)],
      ["500,000 nested arrays", () => `${"[".repeat(500_000)}${"]".repeat(500_000)}`],
      ["200,000 nested objects", () => `${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`],
      ["300,000 unclosed '{\"a\":'", () => '{"a":'.repeat(300_000)],
    ])("%s on every body route: a 400, never a 500", { timeout: 60_000 }, async (_name, make) => {
      const body = make();
      for (const route of BODY_ROUTES) {
        const target = targetOf(world, route, world.ids.Queued);
        const answer = await sendTo(harness(), world, target, {
          body,
          contentType: target.contentType,
        });
        expect(answer.status, route).toBe(400);
        expectSane(answer, target);
      }
    });
  },
  { stores: ["memory"], bodyLimit: 8 * 1024 * 1024 },
);
