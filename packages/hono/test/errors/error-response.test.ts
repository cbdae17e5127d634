import {
  ERROR_STATUS,
  type Issue,
  RESTORE_STATE_NAMES,
  type RestoreError,
  RestoreErrors,
} from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ADAPTER_ERROR_STATUS,
  AdapterErrors,
  errorResponse,
  FAULT_KEYS,
  type HttpError,
  httpStatusOf,
  v1JsonText,
} from "../../src/index.js";

const arbIssue: fc.Arbitrary<Issue> = fc.record({
  path: fc.oneof(fc.constant(""), fc.string({ maxLength: 20 })),
  message: fc.string({ minLength: 1, maxLength: 60 }),
});

/** One error of every kind, built by the constructors the service uses. */
const arbHttpError: fc.Arbitrary<HttpError> = fc.oneof(
  fc
    .tuple(fc.nat(1000), fc.nat(1000))
    .map(([line, column]) => RestoreErrors.invalidJson(line + 1, column + 1, "a hint")),
  fc.array(arbIssue, { minLength: 1, maxLength: 5 }).map(RestoreErrors.invalidRequest),
  fc.constant(RestoreErrors.unauthenticated()),
  fc.constant(RestoreErrors.forbidden("no role allows it")),
  fc.integer({ min: 1 }).map(RestoreErrors.notFound),
  fc
    .tuple(fc.integer({ min: 1 }), fc.constantFrom(...RESTORE_STATE_NAMES))
    .chain(([id, state]) =>
      fc.constantFrom<RestoreError>(
        RestoreErrors.reportNotReady(id, state),
        RestoreErrors.notStarted(id, state, "StopManual"),
        RestoreErrors.stopping(id, state, "StartManual"),
        RestoreErrors.finished(id, state, "StartManual"),
        RestoreErrors.notEditable(id, state),
        RestoreErrors.noSealedPassword(id, state),
        RestoreErrors.agentConflict(id, state, "Queued"),
      ),
    ),
  fc
    .integer({ min: 1 })
    .chain((id) =>
      fc.constantFrom<RestoreError>(
        RestoreErrors.exists(id),
        RestoreErrors.passwordRequired(id),
        RestoreErrors.passwordNotAllowed(id, "StopManual"),
        RestoreErrors.passwordInvalid(id, "not_hex"),
        RestoreErrors.versionConflict(id, 3),
        RestoreErrors.busy(id),
        RestoreErrors.sealedPasswordUnreadable(id),
      ),
    ),
  fc.constant(RestoreErrors.unknownReference("BackupId", 133599)),
  fc.constant(RestoreErrors.storageUnavailable()),
  fc.constant(RestoreErrors.internal()),
  fc.constant(AdapterErrors.routeNotFound()),
  fc.constant(AdapterErrors.methodNotAllowed(["GET", "HEAD"])),
  fc.constant(AdapterErrors.bodyTooLarge(65536)),
  fc.constant(AdapterErrors.unsupportedMediaType(["application/json"])),
);

const arbAccept = fc.constantFrom(
  undefined,
  null,
  "application/json",
  "*/*",
  "application/problem+json",
  "application/json, application/problem+json;q=0.5",
  "application/problem+json;q=0",
  "APPLICATION/PROBLEM+JSON",
);

function prefersProblem(accept: string | null | undefined): boolean {
  return typeof accept === "string" && /problem\+json(?!;q=0$)/i.test(accept);
}

describe("errorResponse", () => {
  it("gives every core code the status ERROR_STATUS gives it, and every adapter code its own", () => {
    for (const [code, status] of Object.entries({ ...ERROR_STATUS, ...ADAPTER_ERROR_STATUS })) {
      expect(httpStatusOf({ code, message: "m" } as HttpError), code).toBe(status);
      expect(FAULT_KEYS[status], `a fault key for ${status}`).toBeDefined();
    }
  });

  it("always answers the error's status in the asked dialect, with nothing but its message and code", () => {
    fc.assert(
      fc.property(
        arbHttpError,
        fc.constantFrom("v1", "v2" as const),
        arbAccept,
        (error, dialect, accept) => {
          const answer = errorResponse(error, { dialect, accept });
          const status = httpStatusOf(error);
          expect(answer.status).toBe(status);
          const body = JSON.parse(answer.body) as Record<string, unknown>;
          if (prefersProblem(accept)) {
            expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
            expect(body).toMatchObject({
              type: `urn:restorekit:problem:${error.code}`,
              status,
              detail: error.message,
              code: error.code,
            });
          } else if (dialect === "v2") {
            expect(Object.keys(body).sort()).toEqual(["errors", "message"]);
            expect(body.message).toBe(error.message);
          } else {
            const key = FAULT_KEYS[status] as string;
            expect(Object.keys(body)).toEqual([key]);
            expect(body[key]).toMatchObject({ code: status, message: error.message });
          }
          expect("retry-after" in answer.headers).toBe(status === 503);
        },
      ),
      { numRuns: 300 },
    );
  }, 30_000);

  it("names every problem of an invalid request in the details and in the problem's errors", () => {
    const error = RestoreErrors.invalidRequest([
      { path: "Id", message: "Id must be a positive integer" },
      { path: "", message: "the body must be a JSON object" },
    ]);
    const v1 = JSON.parse(errorResponse(error, { dialect: "v1" }).body);
    expect(v1.badRequest.details).toBe(
      "Id: Id must be a positive integer; the body must be a JSON object",
    );
    const v2 = JSON.parse(errorResponse(error, { dialect: "v2" }).body);
    expect(v2.errors).toEqual([
      "Id: Id must be a positive integer",
      "the body must be a JSON object",
    ]);
    const problem = JSON.parse(
      errorResponse(error, { dialect: "v1", accept: "application/problem+json" }).body,
    );
    expect(problem.errors).toEqual(error.issues);
  });

  it("says where the JSON broke, and gives other errors their code as details", () => {
    const json = JSON.parse(
      errorResponse(RestoreErrors.invalidJson(3, 27, "strings must be in double quotes"), {
        dialect: "v1",
      }).body,
    );
    expect(json.badRequest.details).toBe("line 3, column 27");
    const missing = JSON.parse(
      errorResponse(RestoreErrors.notFound(13689), { dialect: "v1" }).body,
    );
    expect(missing).toEqual({
      itemNotFound: {
        code: 404,
        message: "Restore 13689 was not found.",
        details: "restore_not_found",
      },
    });
  });

  it("asks for a retry on a 503 after the given seconds, and names the methods on a 405", () => {
    const busy = errorResponse(RestoreErrors.busy(1), { dialect: "v1", retryAfterSeconds: 2.5 });
    expect(busy.headers["retry-after"]).toBe("3");
    expect(JSON.parse(busy.body)).toHaveProperty("serviceUnavailable");
    const down = errorResponse(RestoreErrors.storageUnavailable(), { dialect: "v2" });
    expect(down.headers["retry-after"]).toBe("1");
    const method = errorResponse(AdapterErrors.methodNotAllowed(["GET", "HEAD"]), {
      dialect: "v1",
    });
    expect(method.headers.allow).toBe("GET, HEAD");
    expect(JSON.parse(method.body)).toHaveProperty("badMethod");
  });

  it("hides what went wrong inside behind a bare instanceFault", () => {
    const answer = errorResponse(RestoreErrors.internal(), { dialect: "v1" });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({
      instanceFault: {
        code: 500,
        message: "An internal error occurred.",
        details: "internal_error",
      },
    });
  });
});

describe("v1JsonText", () => {
  it("writes every slash escaped and reads back as the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = v1JsonText(value);
        expect(text).not.toMatch(/(?<!\\)\//);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it("writes a v1 date as the reference prints it", () => {
    expect(v1JsonText({ BackupRestorePoint: "/Date(1357151359000)/" })).toBe(
      String.raw`{"BackupRestorePoint":"\/Date(1357151359000)\/"}`,
    );
  });
});
