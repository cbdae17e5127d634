import type { AgentRequest, RestoreError } from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentChannel } from "../src/agent-channel.js";
import { agentNotifier } from "../src/agent-notifier.js";
import { validateSchemaName } from "../src/index.js";
import type { SqlExecutor, SqlRows, SqlStatement } from "../src/sql-client.js";
import type { StorageOperation } from "../src/storage-failure.js";

const schema = validateSchemaName("restorekit")._unsafeUnwrap();

function request(restoreId: number, agentId = 7): AgentRequest {
  return { tenantId: "123456", restoreId, agentId, action: "start", version: 2 };
}

/** An executor whose statements finish when the test says, recording what each sent. */
function heldExecutor() {
  const sent: (readonly [string, string])[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const executor: SqlExecutor = {
    query(statement: SqlStatement): Promise<SqlRows> {
      expect(statement.text).toMatch(/^SELECT pg_notify/);
      sent.push(JSON.parse(String(statement.values?.[0])));
      return new Promise((resolve, reject) => {
        pending.push({ resolve: () => resolve({ rows: [], rowCount: 0 }), reject });
      });
    },
  };
  return { executor, sent, pending };
}

function reports() {
  const seen: { operation: StorageOperation; error: RestoreError }[] = [];
  return {
    seen,
    report: (operation: StorageOperation, error: RestoreError) => {
      seen.push({ operation, error });
      return error;
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("agentNotifier", () => {
  it("keeps one statement in flight and sends what queued meanwhile in the next one", async () => {
    const { executor, sent, pending } = heldExecutor();
    const notifier = agentNotifier(executor, schema, reports().report);
    notifier.send([request(1)]);
    await turn();
    expect(sent).toHaveLength(1);
    notifier.send([request(2)]);
    notifier.send([request(3), request(4, 8)]);
    await turn();
    expect(sent).toHaveLength(1);

    pending[0]?.resolve();
    await turn();
    await turn();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual([
      [agentChannel("restorekit", "123456", 7), JSON.stringify(request(2))],
      [agentChannel("restorekit", "123456", 7), JSON.stringify(request(3))],
      [agentChannel("restorekit", "123456", 8), JSON.stringify(request(4, 8))],
    ]);
    pending[1]?.resolve();
    await notifier.flush();
  });

  it("sends every request queued exactly once, in order, however the sends interleave", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 30 }),
        async (steps) => {
          const { executor, sent, pending } = heldExecutor();
          const notifier = agentNotifier(executor, schema, reports().report);
          let next = 1;
          for (const [count, finishOne] of steps) {
            notifier.send(Array.from({ length: count }, () => request(next++)));
            if (finishOne) pending.shift()?.resolve();
            await turn();
          }
          const flushed = notifier.flush();
          while (pending.length > 0 || sent.flat().length < next - 1) {
            pending.shift()?.resolve();
            await turn();
          }
          await flushed;
          const payloads = sent.flat().map(([, payload]) => JSON.parse(payload).restoreId);
          expect(payloads).toEqual(Array.from({ length: next - 1 }, (_, i) => i + 1));
        },
      ),
      { numRuns: 50 },
    );
  }, 60_000);

  it("tries a refused batch again, and reports it only when every try failed", async () => {
    let calls = 0;
    const flaky: SqlExecutor = {
      query() {
        calls += 1;
        return calls <= 2
          ? Promise.reject(new Error("connection terminated"))
          : Promise.resolve({ rows: [], rowCount: 0 });
      },
    };
    const once = reports();
    const notifier = agentNotifier(flaky, schema, once.report, { retryDelaysMs: [1, 1, 1] });
    notifier.send([request(1)]);
    await notifier.flush();
    expect(calls).toBe(3);
    expect(once.seen).toEqual([]);

    const refused = reports();
    let tries = 0;
    const down: SqlExecutor = {
      query() {
        tries += 1;
        return Promise.reject(Object.assign(new Error("refused"), { code: "08006" }));
      },
    };
    const giving = agentNotifier(down, schema, refused.report, { retryDelaysMs: [1, 1] });
    giving.send([request(1), request(2)]);
    await giving.flush();
    expect(tries).toBe(3);
    expect(refused.seen.map(({ operation, error }) => [operation, error.code])).toEqual([
      ["notifyAgentRequests", "storage_unavailable"],
    ]);
    // The next requests still go out: one lost batch does not stop the notifier.
    giving.send([request(3)]);
    await giving.flush();
    expect(tries).toBe(6);
  });

  it("sends nothing for an append that made no request", async () => {
    const { executor, sent } = heldExecutor();
    const notifier = agentNotifier(executor, schema, reports().report);
    notifier.send([]);
    await turn();
    await notifier.flush();
    expect(sent).toEqual([]);
  });
});
