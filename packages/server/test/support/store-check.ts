import type { AgentRequest } from "@restorekit/core";
import { agentChannel, fromPool, type SqlClient } from "@restorekit/postgres";
import pg from "pg";
import type { Outcome } from "./load.js";
import { checkStoreOn, type StoreReport, unbackedAcknowledgementsOn } from "./sql-store-check.js";

// The store's rules and the acknowledgement check (sql-store-check.ts) on a Postgres server by
// URL, and a LISTEN of the test's own.

export type { StoreReport } from "./sql-store-check.js";

async function onServer<T>(url: string, use: (client: SqlClient) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => undefined);
  try {
    return await use(fromPool(pool));
  } finally {
    await pool.end();
  }
}

/** See `checkStoreOn`. */
export function checkStore(url: string, schema: string): Promise<StoreReport> {
  return onServer(url, (client) => checkStoreOn(client, schema));
}

/** See `unbackedAcknowledgementsOn`. */
export function unbackedAcknowledgements(
  url: string,
  schema: string,
  tenant: string,
  outcomes: readonly Outcome[],
): Promise<string[]> {
  return onServer(url, (client) => unbackedAcknowledgementsOn(client, schema, tenant, outcomes));
}

/** A LISTEN of its own on one agent's channel, recording every request heard. */
export interface AgentListener {
  readonly heard: readonly AgentRequest[];
  close(): Promise<void>;
}

export async function listenAsAgent(
  url: string,
  schema: string,
  tenant: string,
  agentId: number,
): Promise<AgentListener> {
  const client = new pg.Client({ connectionString: url, application_name: "rk_test_listener" });
  client.on("error", () => undefined);
  await client.connect();
  const heard: AgentRequest[] = [];
  client.on("notification", (message) => {
    if (message.payload !== undefined) heard.push(JSON.parse(message.payload) as AgentRequest);
  });
  await client.query(`LISTEN "${agentChannel(schema, tenant, agentId)}"`);
  return { heard, close: () => client.end().catch(() => undefined) };
}

/** The requests the log says an agent was sent: each user's start or stop request, at its version. */
export async function requestsInLog(
  url: string,
  schema: string,
  tenant: string,
): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT restore_id, seq, type FROM "${schema}".restore_events
       WHERE tenant_id = $1 AND actor_type <> 'agent'
         AND type IN ('RestoreStartRequested', 'RestoreStopRequested')`,
      [tenant],
    );
    return rows
      .map((row) =>
        requestKey({
          restoreId: Number(row.restore_id),
          version: Number(row.seq),
          action: row.type === "RestoreStartRequested" ? "start" : "stop",
        }),
      )
      .sort();
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function requestKey(
  request: Pick<AgentRequest, "restoreId" | "version" | "action">,
): string {
  return `${request.restoreId}@${request.version}:${request.action}`;
}
