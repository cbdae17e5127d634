import { setTimeout as sleep } from "node:timers/promises";

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** One request to a running server, the body read as JSON when there is one. */
export async function call(
  url: string,
  path: string,
  options: { token?: string; method?: string; body?: unknown; contentType?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers["x-auth-token"] = options.token;
  if (options.body !== undefined)
    headers["content-type"] = options.contentType ?? "application/json";
  const response = await fetch(`${url}${path}`, {
    method: options.method ?? "GET",
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: response.status, headers: response.headers, body };
}

/** Generous: the simulated agent takes a few seconds, more on a busy machine. A hang guard only. */
const STATE_DEADLINE_MS = 120_000;

/**
 * Reads a restore until it is in one of `states` (v1 `RestoreStateId`s) and
 * answers its details; throws with the last details once the deadline passes.
 */
export async function waitForState(
  url: string,
  restoreId: number,
  states: readonly number[],
  token = "demo-observer",
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + STATE_DEADLINE_MS;
  let last: Answer | null = null;
  while (Date.now() < deadline) {
    last = await call(url, `/v1.0/1234/restore/${restoreId}`, { token });
    const details = last.body as Record<string, unknown> | null;
    if (last.status === 200 && states.includes(Number(details?.RestoreStateId))) {
      return details as Record<string, unknown>;
    }
    await sleep(250);
  }
  throw new Error(
    `restore ${restoreId} did not reach state ${states.join(" or ")}: last answer ${JSON.stringify(last)}`,
  );
}

/** Starts a demo restore as the demo creator. */
export function startRestore(url: string, restoreId: number, encryptedPassword?: string) {
  return call(url, "/v1.0/1234/restore/action-requested", {
    token: "demo-creator",
    method: "POST",
    body: {
      Action: "StartManual",
      Id: restoreId,
      ...(encryptedPassword === undefined ? {} : { EncryptedPassword: encryptedPassword }),
    },
  });
}

/** The reference's create example. */
export const CREATE_EXAMPLE = {
  BackupId: 133599,
  BackupMachineId: 156953,
  DestinationMachineId: 156751,
  DestinationPath: "C:\\FolderPathForRestore\\",
  BackupDataCenter: "DFW",
  OverwriteFiles: false,
};
