/**
 * The agent's side of the notification measurement, in a process of its own
 * so that the load's event loop does not delay its clock: subscribes to the
 * bench agent's requests and sends each arrival's wall-clock time (ms since
 * the epoch, sub-millisecond) to the parent over IPC.
 */
import { performance } from "node:perf_hooks";
import { DEFAULT_TENANT, DESTINATION_MACHINE_ID } from "@restorekit/testing";
import pg from "pg";
import { fromPool, postgresRepository } from "../src/index.js";

const schema = process.env.LISTEN_SCHEMA ?? "";
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
pool.on("error", () => undefined);
const listened = await postgresRepository(fromPool(pool), { schema }).subscribeAgentRequests(
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  (request) => {
    process.send?.({
      restoreId: request.restoreId,
      at: performance.timeOrigin + performance.now(),
    });
  },
);
if (listened.isErr()) {
  process.send?.({ error: listened.error.code });
  process.exit(1);
}
process.send?.({ ready: true });
process.on("disconnect", () => {
  void listened.value.close().then(() => pool.end());
});
