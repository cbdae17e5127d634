import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { citusAddress } from "./citus-cluster.js";
import { closeFileDatabases, fileCitusIsUp, fileServerIsUp } from "./file-databases.js";
import { serverAddress } from "./real-server.js";
import { type RouteHarness, type RouteHarnessOptions, routeHarness } from "./route-harness.js";
import { type Reachable, STORE_KINDS, type StoreKind, storeLabel } from "./store-under-test.js";

export interface RouteSuiteOptions extends RouteHarnessOptions {
  /** The stores to run on; every one when absent. */
  readonly stores?: readonly StoreKind[];
}

// Asked when a file loads, so the suites' names can say what they ran on.
const [server, citus] = await Promise.all([fileServerIsUp(), fileCitusIsUp()]);
const reachable: Reachable = { server, citus };
let fileHookRegistered = false;
let citusDownTold = false;

/**
 * Registers `body` once per store (in memory, PGlite, the real server, a
 * Citus coordinator), each in a `describe` named after the store, with a
 * harness built before its tests and closed after them; planned store faults
 * are healed after each test. Call it at a file's top level: the file's
 * databases close after its last suite.
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
    if (kind === "citus" && !citus) {
      citusDidNotRun(name);
      continue;
    }
    describe(`${name} [${storeLabel(kind, reachable)}]`, () => {
      let harness: RouteHarness | undefined;
      beforeAll(async () => {
        if (kind === "server" && !server) {
          console.warn(
            `No Postgres server answered at ${serverAddress()}: "${name}" ran on PGlite instead of the real server.`,
          );
        }
        harness = await routeHarness(kind, reachable, options);
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

/**
 * Without a coordinator the "citus" suite does not run anywhere else: on the
 * real server or PGlite it would repeat a suite that already runs there. One
 * passing test per suite says so in the results, and the file warns once.
 */
function citusDidNotRun(name: string): void {
  describe(`${name} [${storeLabel("citus", reachable)}]`, () => {
    it(`did not run: no Citus coordinator answered at ${citusAddress()} (RESTOREKIT_CITUS_URL)`, () => {
      if (!citusDownTold) {
        citusDownTold = true;
        console.warn(
          `No Citus coordinator answered at ${citusAddress()} (nothing answered, or a Postgres without the citus extension): the route suites of this file did not run on Citus (set RESTOREKIT_CITUS_URL).`,
        );
      }
      expect(reachable.citus).toBe(false);
    });
  });
}
