import {
  parseActionRequest,
  parseAgentPatch,
  parseCreateRestore,
  type RestoreError,
  stateFromV2Name,
} from "@restorekit/core";
import fc from "fast-check";
import type { Result } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  arbActionRequestBody,
  arbAgentPatchBody,
  arbCreateRestoreBody,
  arbHostileActionRequestBody,
  arbHostileAgentPatchBody,
  arbHostileCreateRestoreBody,
} from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const RUNS = 300;

/** The parsers take what `JSON.parse` gives, so every body goes through the wire first. */
function overTheWire(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body));
}

function rejected(parse: () => Result<unknown, RestoreError>): RestoreError | "accepted" | "threw" {
  try {
    const result = parse();
    return result.isErr() ? result.error : "accepted";
  } catch {
    return "threw";
  }
}

describe("action-requested bodies", () => {
  it("every valid body parses to its action, id and password", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(arbActionRequestBody(), (body) => {
        const parsed = parseActionRequest(overTheWire(body));
        expect(parsed.isOk() ? "ok" : parsed.error.message).toBe("ok");
        expect(parsed._unsafeUnwrap()).toEqual({
          action: body.Action,
          restoreId: Number(body.Id),
          encryptedPassword: body.EncryptedPassword ?? null,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("every hostile body is invalid_request, never a throw", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(arbHostileActionRequestBody(), (body) => {
        const outcome = rejected(() => parseActionRequest(body));
        expect(typeof outcome === "string" ? outcome : outcome.code).toBe("invalid_request");
      }),
      { numRuns: RUNS },
    );
  });

  it("a password sent with StopManual is not echoed in the error", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.stringMatching(/^[0-9A-F]{16,64}$/),
        (Id, EncryptedPassword) => {
          const parsed = parseActionRequest({ Action: "StopManual", Id, EncryptedPassword });
          expect(parsed.isErr()).toBe(true);
          expect(JSON.stringify(parsed._unsafeUnwrapErr())).not.toContain(EncryptedPassword);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("create-restore bodies", () => {
  it("every valid body parses to its configuration", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(arbCreateRestoreBody(), (body) => {
        const parsed = parseCreateRestore(overTheWire(body));
        expect(parsed.isOk() ? "ok" : parsed.error.message).toBe("ok");
        expect(parsed._unsafeUnwrap()).toEqual({
          backupId: Number(body.BackupId),
          backupMachineId: Number(body.BackupMachineId),
          destinationMachineId: Number(body.DestinationMachineId),
          destinationPath: body.DestinationPath,
          overwriteFiles: body.OverwriteFiles,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("every hostile body is invalid_request, never a throw", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(arbHostileCreateRestoreBody(), (body) => {
        const outcome = rejected(() => parseCreateRestore(body));
        expect(typeof outcome === "string" ? outcome : outcome.code).toBe("invalid_request");
      }),
      { numRuns: RUNS },
    );
  });
});

const SPELLINGS: Record<string, string> = {
  "/started-time": "startedTime",
  "/started_time": "startedTime",
  "/ended-time": "endedTime",
  "/ended_time": "endedTime",
  "/files_restores": "filesRestored",
  "/files_restored": "filesRestored",
  "/bytes-restored": "bytesRestored",
  "/bytes_restored": "bytesRestored",
  "/errors": "errors",
};

describe("agent patch bodies", () => {
  it("every valid patch parses, whichever spelling of a path it uses", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(arbAgentPatchBody(), (body) => {
        const parsed = parseAgentPatch(overTheWire(body));
        expect(parsed.isOk() ? "ok" : parsed.error.message).toBe("ok");
        const { state, report } = parsed._unsafeUnwrap();
        const stateOp = body.find((operation) => operation.path === "/state");
        expect(state).toBe(stateOp === undefined ? null : stateFromV2Name(String(stateOp.value)));
        for (const operation of body) {
          const field = SPELLINGS[String(operation.path)];
          if (field === undefined) continue;
          const value = (report as Record<string, unknown>)[field];
          if (field === "filesRestored" || field === "bytesRestored")
            expect(value).toBe(operation.value);
          else expect(value).toBeDefined();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("every hostile patch is invalid_request, never a throw", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(arbHostileAgentPatchBody(), (body) => {
        const outcome = rejected(() => parseAgentPatch(body));
        expect(typeof outcome === "string" ? outcome : outcome.code).toBe("invalid_request");
      }),
      { numRuns: RUNS },
    );
  });
});
