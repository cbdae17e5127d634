import { randomBytes } from "node:crypto";
import type { Restore, RestoreStateName, StoredEvent } from "@restorekit/core";
import {
  BACKUP_MACHINE_ID,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  UNENCRYPTED_BACKUP_ID,
} from "@restorekit/testing";
import type { Answer, SendOptions } from "./http-answer.js";
import type { RouteHarness } from "./route-harness.js";
import { OTHER_AGENT_MACHINE_ID, seedTenant } from "./tenant-catalog.js";
import type { TokenRegistry } from "./token-registry.js";

/** Whose token a request carries. */
export type Who =
  | "admin"
  | "creator"
  | "observer"
  | "otherAdmin"
  | "agent"
  | "otherAgent"
  | "expired"
  | "unknown";

/** One operation of the agent's JSON Patch. */
export interface PatchOperation {
  readonly op: "replace" | "add";
  readonly path: string;
  readonly value?: unknown;
}

export interface TenantSendOptions extends SendOptions {
  /** Whose token to send: the tenant's admin when absent, none when null. */
  readonly as?: Who | null;
}

export interface CreateOptions {
  readonly encrypted?: boolean;
  readonly as?: Who;
  readonly destinationPath?: string;
}

/** What the store holds of a restore: to compare before and after a request. */
export interface Snapshot {
  readonly restore: Restore | null;
  readonly events: readonly StoredEvent[];
}

/** A tenant of its own for one test: its id, its tokens, and requests made on its behalf. */
export interface Tenant {
  readonly id: string;
  /** A second tenant with the same backups and machines, whose admin is `otherAdmin`. */
  readonly otherId: string;
  readonly tokens: Readonly<Record<Who, string>>;
  /** `/v1.0/<tenant>` followed by `rest`. */
  v1(rest: string): string;
  /** `/v2/<tenant>` followed by `rest`. */
  v2(rest: string): string;
  send(method: string, path: string, options?: TenantSendOptions): Promise<Answer>;
  /** The same tenant, with `options` (a request id, say) on every request it sends. */
  sending(options: SendOptions): Tenant;
  /** Creates a restore through `PUT /v1.0/<tenant>/restore` and answers its id. */
  create(options?: CreateOptions): Promise<number>;
  /** `POST .../restore/action-requested`. */
  act(
    restoreId: number | string,
    action: "StartManual" | "StopManual",
    options?: { readonly encryptedPassword?: string | null; readonly as?: Who | null },
  ): Promise<Answer>;
  /** `POST .../restore`: an update to a new destination path. */
  update(
    restoreId: number | string,
    options?: { readonly destinationPath?: string; readonly as?: Who | null },
  ): Promise<Answer>;
  /** The agent's `PATCH /v2/<tenant>/restores/<id>`, as the destination agent unless told. */
  report(
    restoreId: number | string,
    operations: readonly PatchOperation[],
    options?: { readonly as?: Who | null },
  ): Promise<Answer>;
  /** `GET .../restore/<id>` as the admin; fails the test on anything but 200. */
  details(restoreId: number): Promise<Record<string, unknown>>;
  /** What the store holds, read without the app. */
  snapshot(restoreId: number): Promise<Snapshot>;
  /** The state the store holds, read without the app. */
  stateOf(restoreId: number): Promise<RestoreStateName | null>;
}

const token = (who: string, tenantId: string) =>
  `${who}-${tenantId}-${randomBytes(9).toString("base64url")}`;

export function tenantScope(
  harness: RouteHarness,
  registry: TokenRegistry,
  id: string,
  otherId: string,
): Tenant {
  seedTenant(harness.catalog, id);
  seedTenant(harness.catalog, otherId);
  const tokens: Record<Who, string> = {
    admin: token("admin", id),
    creator: token("creator", id),
    observer: token("observer", id),
    otherAdmin: token("other-admin", otherId),
    agent: token("agent", id),
    otherAgent: token("other-agent", id),
    expired: token("expired", id),
    // Never registered.
    unknown: token("unknown", id),
  };
  registry.register([
    { token: tokens.admin, tenantId: id, roles: ["cloudbackup:admin"], userId: `admin-${id}` },
    {
      token: tokens.creator,
      tenantId: id,
      roles: ["cloudbackup:creator"],
      userId: `creator-${id}`,
    },
    {
      token: tokens.observer,
      tenantId: id,
      roles: ["cloudbackup:observer"],
      userId: `observer-${id}`,
    },
    {
      token: tokens.otherAdmin,
      tenantId: otherId,
      roles: ["cloudbackup:admin"],
      userId: `admin-${otherId}`,
    },
    { token: tokens.agent, tenantId: id, agentId: DESTINATION_MACHINE_ID },
    { token: tokens.otherAgent, tenantId: id, agentId: OTHER_AGENT_MACHINE_ID },
    {
      token: tokens.expired,
      tenantId: id,
      roles: ["cloudbackup:admin"],
      userId: `expired-${id}`,
      expiresAt: "2020-01-01T00:00:00Z",
    },
  ]);
  return scope(harness, { id, otherId, tokens }, {});
}

interface TenantIdentity {
  readonly id: string;
  readonly otherId: string;
  readonly tokens: Readonly<Record<Who, string>>;
}

function scope(harness: RouteHarness, identity: TenantIdentity, extra: SendOptions): Tenant {
  const { id, otherId, tokens } = identity;
  const v1 = (rest: string) => `/v1.0/${id}${rest}`;
  const v2 = (rest: string) => `/v2/${id}${rest}`;

  const send = (method: string, path: string, options: TenantSendOptions = {}) => {
    const { as = "admin", ...rest } = { ...extra, ...options };
    return harness.send(method, path, as === null ? rest : { token: tokens[as], ...rest });
  };

  const tenant: Tenant = {
    id,
    otherId,
    tokens,
    v1,
    v2,
    send,
    sending: (options) => scope(harness, identity, { ...extra, ...options }),

    async create(options = {}) {
      const answer = await send("PUT", v1("/restore"), {
        as: options.as ?? "admin",
        json: {
          BackupId: options.encrypted === true ? ENCRYPTED_BACKUP_ID : UNENCRYPTED_BACKUP_ID,
          BackupMachineId: BACKUP_MACHINE_ID,
          DestinationMachineId: DESTINATION_MACHINE_ID,
          DestinationPath: options.destinationPath ?? "C:\\FolderPathForRestore\\",
          OverwriteFiles: false,
        },
      });
      const restoreId = (answer.json as { RestoreId?: unknown } | undefined)?.RestoreId;
      if (answer.status !== 200 || typeof restoreId !== "number") {
        throw new Error(`create answered ${answer.status}: ${answer.text}`);
      }
      return restoreId;
    },

    act(restoreId, action, options = {}) {
      return send("POST", v1("/restore/action-requested"), {
        as: options.as === undefined ? "admin" : options.as,
        json: {
          Action: action,
          Id: restoreId,
          ...(options.encryptedPassword === undefined
            ? {}
            : { EncryptedPassword: options.encryptedPassword }),
        },
      });
    },

    update(restoreId, options = {}) {
      return send("POST", v1("/restore"), {
        as: options.as === undefined ? "admin" : options.as,
        json: {
          RestoreId: restoreId,
          BackupId: UNENCRYPTED_BACKUP_ID,
          BackupMachineId: BACKUP_MACHINE_ID,
          DestinationMachineId: DESTINATION_MACHINE_ID,
          DestinationPath: options.destinationPath ?? "C:\\Updated\\",
          OverwriteFiles: true,
        },
      });
    },

    report(restoreId, operations, options = {}) {
      return send("PATCH", v2(`/restores/${restoreId}`), {
        as: options.as === undefined ? "agent" : options.as,
        json: operations,
        contentType: "application/json-patch+json",
      });
    },

    async details(restoreId) {
      const answer = await send("GET", v1(`/restore/${restoreId}`));
      if (answer.status !== 200)
        throw new Error(`details answered ${answer.status}: ${answer.text}`);
      return answer.json as Record<string, unknown>;
    },

    async snapshot(restoreId) {
      const restore = await harness.store.load(id, restoreId);
      const events = await harness.store.readEvents(id, restoreId);
      if (restore.isErr()) throw new Error(`load failed: ${restore.error.code}`);
      if (events.isErr()) throw new Error(`readEvents failed: ${events.error.code}`);
      return { restore: restore.value, events: events.value };
    },

    async stateOf(restoreId) {
      return (await tenant.snapshot(restoreId)).restore?.state ?? null;
    },
  };
  return tenant;
}
