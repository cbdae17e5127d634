import { DEFAULT_TENANT, DESTINATION_MACHINE_ID } from "@restorekit/testing";
import { expect } from "vitest";
import type { SqlClient } from "../../src/index.js";
import { serviceOn } from "./service.js";

const TABLE = /\b(?:FROM|UPDATE|INTO)\s+"[^"]+"\.(restores|restore_events)\b/;
const TABLES = new RegExp(TABLE.source, "g");
const APPEND_CALL = /^SELECT "[^"]+"\.append_restore\(\$1::text,/;

/**
 * The problems of one statement: each reference to a restore table must be
 * filtered on `tenant_id` first (its WHERE clause begins with it) or, for an
 * INSERT, name `tenant_id` as its first column, so the query can be routed to
 * one tenant's shard and can never reach another tenant's rows.
 */
export function tenantProblems(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(TABLES)) {
    const rest = text.slice((match.index ?? 0) + match[0].length);
    if (match[0].startsWith("INTO")) {
      if (!/^\s*\(\s*tenant_id\b/.test(rest))
        problems.push(`INSERT INTO ${match[1]} not tenant first`);
      continue;
    }
    // The clause that filters this reference: the next WHERE before the statement goes on.
    const where =
      /^(?:\s+AS\s+\w+)?\s+(?:SET\s[\s\S]*?\s)?WHERE\s+(\w+\.)?tenant_id\s*=\s*\$1\b/.exec(rest);
    if (where === null) problems.push(`${match[0]} not filtered on tenant_id first`);
  }
  return problems;
}

/**
 * A whole session through the service and the repository on a migrated
 * schema: reads, creates, updates, events, polls and the password, and a
 * second instance changing a restore's config (another shape of the update).
 */
export async function tenantSession(client: SqlClient, schema: string): Promise<void> {
  const app = serviceOn(client, schema);
  const started = await app.createStarted();
  const other = await app.create();
  const { service } = app;
  for (const state of ["Queued", "InProgress"] as const) {
    (
      await service.agentReport(app.agent(), started.restoreId, { state, report: {} })
    )._unsafeUnwrap();
  }
  (
    await service.requestAction(app.user(), {
      action: "StopManual",
      restoreId: started.restoreId,
      encryptedPassword: null,
    })
  )._unsafeUnwrap();
  await service.getRestore(app.user(), other.restoreId);
  await service.listEvents(app.user(), started.restoreId, { afterSeq: 1, limit: 10 });
  await service.releasePassword(app.agent(), started.restoreId);
  await app.repository.pendingAgentRequests(DEFAULT_TENANT, DESTINATION_MACHINE_ID);
  (
    await serviceOn(client, schema).service.updateRestore(app.user(), {
      restoreId: other.restoreId,
      backupId: other.config.backupId,
      backupMachineId: other.config.backupMachineId,
      destinationMachineId: other.config.destinationMachineId,
      destinationPath: "/elsewhere",
      overwriteFiles: true,
    })
  )._unsafeUnwrap();
}

/** Checks a session's statements (one line each): every kind was reached, and each names the tenant first. */
export function expectTenantFirst(texts: readonly string[]): void {
  const touching = texts.filter((text) => TABLE.test(text));
  // The session reached every kind of statement: a load, an update, an insert, the events, a poll.
  expect(touching.some((t) => t.includes("to_json(r)"))).toBe(true);
  expect(touching.some((t) => t.includes("destination_machine_id = $2"))).toBe(true);
  // On Citus the appends are calls of the append function, the tenant its first argument (the
  // one Citus routes the call by); elsewhere, statements.
  if (!texts.some((t) => APPEND_CALL.test(t))) {
    expect(touching.some((t) => t.startsWith("WITH updated AS"))).toBe(true);
    expect(touching.some((t) => t.startsWith("WITH inserted AS"))).toBe(true);
  }
  for (const text of touching) expect(tenantProblems(text), text).toEqual([]);
}
