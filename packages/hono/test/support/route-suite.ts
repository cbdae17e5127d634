import { afterAll, afterEach, beforeAll, describe } from "vitest";
import { closeFileDatabases, fileServerIsUp } from "./file-databases.js";
import { serverAddress } from "./real-server.js";
import { type RouteHarness, type RouteHarnessOptions, routeHarness } from "./route-harness.js";
import { STORE_KINDS, type StoreKind, storeLabel } from "./store-under-test.js";

export interface RouteSuiteOptions extends RouteHarnessOptions {
  /** The stores to run on; every one when absent. */
  readonly stores?: readonly StoreKind[];
}

// Asked when a file loads, so the suites' names can say what they ran on.
const serverUp = await fileServerIsUp();
let fileHookRegistered = false;

/**
 * Registers `body` once per store (in memory, PGlite, the real server), each
 * in a `describe` named after the store, with a harness built before its
 * tests and closed after them; planned store faults are healed after each
 * test. Call it at a file's top level: the file's databases close after its
 * last suite.
 *
 * @example
 * ```ts
 * routeSuite("details", (harness) => {
 *   it("answers 200", async () => {
 *     const tenant = harness().tenant();
 *     const id = await tenant.create();
 *     expect((await tenant.send("GET", tenant.v1(`/restore/${id}`))).status).toBe(200);
 *   });
 * });
 * ```
 */
export function routeSuite(
  name: string,
  body: (harness: () => RouteHarness) => void,
  options: RouteSuiteOptions = {},
): void {
  if (!fileHookRegistered) {
    fileHookRegistered = true;
    afterAll(closeFileDatabases);
  }
  for (const kind of options.stores ?? STORE_KINDS) {
    describe(`${name} [${storeLabel(kind, serverUp)}]`, () => {
      let harness: RouteHarness | undefined;
      beforeAll(async () => {
        if (kind === "server" && !serverUp) {
          console.warn(
            `No Postgres server answered at ${serverAddress()}: "${name}" ran on PGlite instead of the real server.`,
          );
        }
        harness = await routeHarness(kind, serverUp, options);
      });
      afterEach(() => {
        harness?.repository.heal();
      });
      afterAll(async () => {
        await harness?.close();
      });
      body(() => {
        if (harness === undefined) throw new Error("the harness is built in beforeAll");
        return harness;
      });
    });
  }
}
