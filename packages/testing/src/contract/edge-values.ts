import {
  type AppendRequest,
  type CommandContext,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  LIMITS,
  type RestoreErrorSummary,
} from "@restorekit/core";
import { AGENT, commands, decideChange } from "./contract-data.js";

// Values at the very edge of what every store must hold, and just past it. The
// contract suite stores the first kind and reads them back exactly, and checks
// that the second kind is refused as data with nothing written.

/** A text of exactly `length` UTF-16 code units mixing ASCII, accents, CJK and astral characters. */
export function edgeText(length: number, seed = "édge 字 😀 "): string {
  let text = "";
  while (text.length < length) text += seed;
  text = text.slice(0, length);
  // Never end on half a surrogate pair: that half would be an unpaired surrogate.
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? `${text.slice(0, -1)}x` : text;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** An error summary with the longest texts allowed, and (with `full`) the longest list. */
export function edgeErrors(full: boolean): RestoreErrorSummary {
  const item = {
    index: MAX,
    path: edgeText(LIMITS.errorText, "C:\\Données\\文件\\😀 "),
    type: edgeText(LIMITS.errorName),
    exception: {
      code: -MAX,
      description: edgeText(LIMITS.errorDescription),
      details: edgeText(LIMITS.errorText, 'line 1\nline 2\t"quoted" \\ '),
    },
  };
  const small = { index: 0, path: "/a", type: null, exception: null };
  return {
    count: MAX,
    reason: edgeText(LIMITS.errorName, "unable_to_process_some_files "),
    diagnostics: edgeText(LIMITS.errorText, '{"json": [1, 2]} 😀 '),
    list: full
      ? [item, ...Array.from({ length: LIMITS.errorList - 1 }, () => small)]
      : [item, item],
  };
}

/** A context at the given instant, with the longest request and user ids allowed. */
export function edgeContext(now: string): CommandContext {
  return {
    actor: { type: "user", id: edgeText(LIMITS.userId) },
    now,
    requestId: edgeText(LIMITS.requestId),
  };
}

/** The longest tenant id allowed. */
export const EDGE_TENANT = edgeText(LIMITS.tenantId, "tenant-😀-");

/**
 * A create at the edges: the longest texts in the configuration and the
 * catalog's names, the largest ids, the earliest restore point, the latest
 * instant as the time it was made.
 */
export function edgeCreate(restoreId: number): AppendRequest {
  const command = commands.create(EDGE_TENANT, restoreId, { encrypted: true, agentId: AGENT });
  if (command.type !== "CreateRestore") throw new Error("a create");
  const name = edgeText(LIMITS.catalogText);
  const edged = {
    ...command,
    data: {
      ...command.data,
      config: {
        backupId: MAX,
        backupMachineId: MAX,
        destinationMachineId: AGENT,
        destinationPath: edgeText(LIMITS.destinationPath, "C:\\Restore\\Über\\데이터\\😀\\"),
        overwriteFiles: true,
      },
      backup: {
        backupConfigurationId: MAX,
        backupConfigurationName: name,
        restorePoint: EARLIEST_TIMESTAMP,
        backupMachineName: name,
        backupFlavor: name,
        backupDataCenter: name,
        destinationMachineName: name,
        isEncrypted: true,
        publicKey: { modulusHex: "F".repeat(LIMITS.publicKeyHex), exponentHex: "10001" },
      },
    },
  };
  const change = decideChange(null, edged, edgeContext(LATEST_TIMESTAMP));
  if (change.isErr() || change.value === null) throw new Error("contract setup: edge create");
  return { tenantId: EDGE_TENANT, restoreId, expectedVersion: 0, ...change.value };
}

/**
 * Values no store can hold, each with the field it breaks, applied to a
 * create's row and event alike (as a caller that skipped the checks would).
 */
export const UNSTORABLE: readonly {
  readonly what: string;
  readonly field: string;
  readonly apply: (request: AppendRequest) => AppendRequest;
}[] = [
  textIn("a NUL in DestinationPath", "destinationPath", "C:\\a\u0000b"),
  textIn("an unpaired high surrogate in DestinationPath", "destinationPath", "C:\\\ud800"),
  textIn("an unpaired low surrogate in DestinationPath", "destinationPath", "C:\\\udc00x"),
  textIn(
    "a DestinationPath one over the maximum",
    "destinationPath",
    "x".repeat(LIMITS.destinationPath + 1),
  ),
  backupIn("a NUL in a catalog name", "backupFlavor", "Rax\u0000"),
  backupIn(
    "a catalog name one over the maximum",
    "backupMachineName",
    "x".repeat(LIMITS.catalogText + 1),
  ),
  backupIn("the year 0", "restorePoint", "0000-12-31T23:59:59.999Z"),
  backupIn("the year 10000", "restorePoint", "+010000-01-01T00:00:00.000Z"),
  backupIn("a timestamp not in canonical form", "restorePoint", "2014-10-20T13:11:58Z"),
  backupIn("an impossible date", "restorePoint", "2014-02-31T00:00:00.000Z"),
  backupIn("a restore point that is not a date", "restorePoint", "not a date"),
  {
    what: "an unpaired surrogate in the request id",
    field: "requestId",
    apply: (request) => ({
      ...request,
      events: request.events.map((event) => ({
        ...event,
        metadata: { ...event.metadata, requestId: "req-\udfff" },
      })),
    }),
  },
  {
    what: "a request id one over the maximum",
    field: "requestId",
    apply: (request) => ({
      ...request,
      events: request.events.map((event) => ({
        ...event,
        metadata: { ...event.metadata, requestId: "r".repeat(LIMITS.requestId + 1) },
      })),
    }),
  },
];

function textIn(what: string, field: "destinationPath", value: string) {
  return {
    what,
    field,
    apply: (request: AppendRequest): AppendRequest => {
      const config = { ...request.restore.config, [field]: value };
      return {
        ...request,
        restore: { ...request.restore, config },
        events: request.events.map((event) =>
          event.type === "RestoreCreated" ? { ...event, data: { ...event.data, config } } : event,
        ),
      };
    },
  };
}

function backupIn(what: string, field: string, value: string) {
  return {
    what,
    field,
    apply: (request: AppendRequest): AppendRequest => {
      const backup = { ...request.restore.backup, [field]: value };
      return {
        ...request,
        restore: { ...request.restore, backup },
        events: request.events.map((event) =>
          event.type === "RestoreCreated" ? { ...event, data: { ...event.data, backup } } : event,
        ),
      };
    },
  };
}
