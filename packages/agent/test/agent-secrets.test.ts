import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { inProcessServer } from "./support/in-process-server.js";

// The passphrase and its ciphertext pass through the agent; its log (a real pino logger here)
// must hold neither, on the paths that log the most: retries, a password that does not open,
// a run that throws with the passphrase in its message.

const PASSPHRASE = "correct horse battery staple";

describe("the agent's log", () => {
  it("never holds the passphrase or the hex ciphertext", async () => {
    const server = inProcessServer();
    let passwordTries = 0;
    server.fault = (request) => {
      if (!new URL(request.url).pathname.endsWith("/password")) return "pass";
      passwordTries += 1;
      return passwordTries === 1 ? { status: 503, retryAfter: "0" } : "pass";
    };
    const agent = server.agent(async (_restore, { password, progress }) => {
      await progress({ phase: "preparing" });
      throw new Error(`the vault refused ${password?.reveal()}`);
    });
    await agent.start();
    const thrown = await server.restore({ encrypted: true });
    const sentThrown = await server.start(thrown, PASSPHRASE);
    await server.reach(thrown, ["Failed"]);
    await agent.stop();

    const { privateKey: otherKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const mistaken = server.agent(async () => ({ state: "completed" }), { privateKey: otherKey });
    await mistaken.start();
    const unopened = await server.restore({ encrypted: true });
    const sentUnopened = await server.start(unopened, PASSPHRASE);
    await server.reach(unopened, ["Failed"]);
    await mistaken.stop();

    const log = server.logged.join("\n");
    // The log did say what happened, so there was something to leak.
    expect(log).toContain("decrypted the restore's password");
    expect(log).toContain("cannot decrypt the password");
    expect(log).toContain("did not take the request; retrying");
    expect(log).toContain("run ended without a result");
    const lower = log.toLowerCase();
    expect(lower).not.toContain(PASSPHRASE);
    for (const hex of [sentThrown, sentUnopened]) {
      expect(hex).not.toBeNull();
      // Not the whole, and not a piece of it either.
      expect(lower).not.toContain((hex ?? "").toLowerCase().slice(0, 32));
      expect(lower).not.toContain((hex ?? "").toLowerCase().slice(-32));
    }
  });
});
