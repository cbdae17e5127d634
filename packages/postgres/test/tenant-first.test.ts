import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromPGlite, migrate } from "../src/index.js";
import { oneLine, recording } from "./support/recording.js";
import { expectTenantFirst, tenantProblems, tenantSession } from "./support/tenant-session.js";

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
    const { client, statements } = recording(fromPGlite(db));
    (await migrate(client, { schema: "tenant_first" }))._unsafeUnwrap();
    statements.length = 0;
    await tenantSession(client, "tenant_first");
    expectTenantFirst(statements.map(({ text }) => oneLine(text)));
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
