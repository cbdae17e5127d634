import { PGlite } from "@electric-sql/pglite";
import { DEFAULT_TENANT, DESTINATION_MACHINE_ID } from "@restorekit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromPGlite, type SqlClient } from "../src/index.js";
import { serviceOn } from "./support/service.js";

/** Every statement text a client was asked to run, in order. */
function recording(client: SqlClient): { client: SqlClient; texts: string[] } {
  const texts: string[] = [];
  const record = (text: string) => texts.push(text.replace(/\s+/g, " ").trim());
  return {
    texts,
    client: {
      ...client,
      query: (statement) => {
        record(statement.text);
        return client.query(statement);
      },
      transaction: (work) =>
        client.transaction((executor) =>
          work({
            query: (statement) => {
              record(statement.text);
              return executor.query(statement);
            },
          }),
        ),
    },
  };
}

const TABLE = /\b(?:FROM|UPDATE|INTO)\s+"[^"]+"\.(restores|restore_events)\b/;
const TABLES = new RegExp(TABLE.source, "g");

/**
 * The problems of one statement: each reference to a restore table must be
 * filtered on `tenant_id` first (its WHERE clause begins with it) or, for an
 * INSERT, name `tenant_id` as its first column, so the query can be routed to
 * one tenant's shard and can never reach another tenant's rows.
 */
function tenantProblems(text: string): string[] {
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

describe("every statement the repository runs names the tenant first", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
  });
  afterAll(async () => {
    await db.close();
  });

  it("a whole session's statements: reads, creates, updates, events, polls and the password", {
    timeout: 120_000,
  }, async () => {
    const { client, texts } = recording(fromPGlite(db));
    const { migrate } = await import("../src/index.js");
    (await migrate(client, { schema: "tenant_first" }))._unsafeUnwrap();
    texts.length = 0;
    const app = serviceOn(client, "tenant_first");
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
    // A second instance changing the config: another shape of the update.
    (
      await serviceOn(client, "tenant_first").service.updateRestore(app.user(), {
        restoreId: other.restoreId,
        backupId: other.config.backupId,
        backupMachineId: other.config.backupMachineId,
        destinationMachineId: other.config.destinationMachineId,
        destinationPath: "/elsewhere",
        overwriteFiles: true,
      })
    )._unsafeUnwrap();

    const touching = texts.filter((text) => TABLE.test(text));
    // The session reached every kind of statement: a load, an update, an insert, the events, a poll.
    expect(touching.some((t) => t.includes("to_json(r)"))).toBe(true);
    expect(touching.some((t) => t.startsWith("WITH updated AS"))).toBe(true);
    expect(touching.some((t) => t.startsWith("WITH inserted AS"))).toBe(true);
    expect(touching.some((t) => t.includes("destination_machine_id = $2"))).toBe(true);
    for (const text of touching) expect(tenantProblems(text), text).toEqual([]);
  });

  it("catches a statement that does not: the check can fail", () => {
    expect(tenantProblems('SELECT 1 FROM "s".restores WHERE restore_id = $1')).not.toEqual([]);
    expect(
      tenantProblems('SELECT 1 FROM "s".restores WHERE restore_id = $2 AND tenant_id = $1'),
    ).not.toEqual([]);
    expect(
      tenantProblems('INSERT INTO "s".restore_events (restore_id, tenant_id) VALUES ($1, $2)'),
    ).not.toEqual([]);
    expect(tenantProblems('UPDATE "s".restores SET version = 2 WHERE restore_id = $2')).not.toEqual(
      [],
    );
    expect(
      tenantProblems('SELECT 1 FROM "s".restores WHERE tenant_id = $1 AND restore_id = $2'),
    ).toEqual([]);
  });
});
