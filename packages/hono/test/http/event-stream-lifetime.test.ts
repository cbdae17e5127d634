import type { RestoreService, TokenVerifier } from "@restorekit/core";
import { createRestoreApp } from "@restorekit/hono";
import { testEnvironment, userPrincipal } from "@restorekit/testing";
import { okAsync } from "neverthrow";
import { expect, it } from "vitest";
import { capturedLogger } from "../support/captured-logger.js";

// An event stream polls the store while it is open, and not a moment longer: a client that goes
// away must not leave a loop behind asking the store forever.

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("stops asking the store once the client has gone", async () => {
  const env = testEnvironment();
  const restore = (
    await env.service.createRestore(env.context(), {
      backupId: 133599,
      backupMachineId: 156953,
      destinationMachineId: 156751,
      destinationPath: "C:\\Restore\\",
      overwriteFiles: false,
    })
  )._unsafeUnwrap();
  let reads = 0;
  const service: RestoreService = {
    ...env.service,
    listEvents(...args) {
      reads += 1;
      return env.service.listEvents(...args);
    },
  };
  const tokens = { verify: () => okAsync(userPrincipal()) } as unknown as TokenVerifier;
  const app = createRestoreApp({
    service,
    tokens,
    logger: capturedLogger().logger,
    docs: false,
    eventStream: { pollMs: 10, heartbeatMs: 60_000 },
  });
  const response = await app.request(
    `/v1.0/${restore.tenantId}/restore/${restore.restoreId}/events`,
    { headers: { "x-auth-token": "t", accept: "text/event-stream" } },
  );
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("RestoreCreated")) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error("the stream ended early");
    text += new TextDecoder().decode(chunk.value);
  }
  // Open and quiet: it keeps asking.
  const before = reads;
  await pause(200);
  expect(reads).toBeGreaterThan(before);

  await reader.cancel();
  await pause(100);
  const settled = reads;
  await pause(300);
  expect(reads).toBe(settled);
});
