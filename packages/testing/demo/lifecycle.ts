/**
 * The restore lifecycle in one command: an encrypted restore is started and
 * carried to Completed by a simulated agent; a plain one is started, makes
 * progress and is stopped. Everything runs in memory through the real service.
 */
import {
  type ActionRequest,
  errorStatus,
  type Restore,
  type RestoreError,
  stateId,
  stateV2Name,
} from "@restorekit/core";
import type { ResultAsync } from "neverthrow";
import {
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  encryptForAgent,
  simulatedAgent,
  testEnvironment,
  userPrincipal,
} from "../src/index.js";

const env = testEnvironment();
const user = userPrincipal({ roles: ["cloudbackup:creator"] });

const agent = simulatedAgent({
  service: env.service,
  repository: env.repository,
  tenantId: DEFAULT_TENANT,
  agentId: DESTINATION_MACHINE_ID,
  privateKey: env.keys.privateKey,
  clock: env.clock,
  onReport: (restore, report) => {
    env.clock.advance(30_000);
    const data = Object.entries(report.report)
      .filter(([key]) => key === "filesRestored" || key === "bytesRestored")
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(" ");
    line(
      restore,
      `agent reported ${report.state ? stateV2Name(report.state) : "data"} ${data}`.trim(),
    );
  },
  onPassword: (restoreId, opened) =>
    console.log(
      `  restore ${restoreId}: agent ${opened ? "opened and decrypted" : "could NOT decrypt"} the sealed password`,
    ),
});

function line(restore: Restore, what: string): void {
  const state = `${restore.state} (id ${stateId(restore.state)}, ${stateV2Name(restore.state)})`;
  const sealed = restore.passwordSealed ? "  [sealed password held]" : "";
  console.log(`  restore ${restore.restoreId}: ${state.padEnd(44)} <- ${what}${sealed}`);
}

async function step(result: ResultAsync<Restore, RestoreError>, what: string): Promise<Restore> {
  const outcome = await result;
  if (outcome.isErr()) {
    const { code, message } = outcome.error;
    console.error(`  ${what} failed: ${errorStatus(outcome.error)} ${code}: ${message}`);
    process.exit(1);
  }
  line(outcome.value, what);
  return outcome.value;
}

function action(request: ActionRequest): ResultAsync<Restore, RestoreError> {
  return env.service.requestAction(env.context(user), request);
}

async function showLog(restore: Restore): Promise<void> {
  const events = await env.service.listEvents(env.context(user), restore.restoreId);
  if (events.isErr()) return;
  console.log(`  event log of restore ${restore.restoreId}:`);
  for (const { seq, event } of events.value) {
    const actor = `${event.metadata.actor.type} ${event.metadata.actor.id}`;
    console.log(`    ${String(seq).padStart(2)}  ${event.type.padEnd(24)} by ${actor}`);
  }
}

console.log("\nAn encrypted restore, started and completed\n");
const encrypted = await step(env.createRestore({ encrypted: true }), "created (PUT /restore)");
const publicKey = encrypted.backup.publicKey;
if (publicKey === null) throw new Error("the fake catalog gives the destination agent a key");
// The client encrypts the vault passphrase with the agent's public key; the server never sees it.
const encryptedPassword = encryptForAgent("correct horse battery staple", publicKey);
await step(
  action({ action: "StartManual", restoreId: encrypted.restoreId, encryptedPassword }),
  "StartManual with EncryptedPassword",
);
const picked = await agent.poll();
if (picked.isErr()) throw new Error(picked.error.message);
await showLog(encrypted);

console.log("\nA plain restore, started, in progress, then stopped\n");
const plain = await step(env.createRestore({ encrypted: false }), "created (PUT /restore)");
await step(
  action({ action: "StartManual", restoreId: plain.restoreId, encryptedPassword: null }),
  "StartManual",
);
await agent.report(plain.restoreId, "Queued");
await agent.report(plain.restoreId, "InProgress", {
  startedTime: env.clock.now().toISOString(),
  filesRestored: 12,
  bytesRestored: 4_194_304,
});
await step(
  action({ action: "StopManual", restoreId: plain.restoreId, encryptedPassword: null }),
  "StopManual",
);
await agent.poll();
await showLog(plain);

console.log("\nWhat the state machine refuses\n");
const again = await action({
  action: "StartManual",
  restoreId: plain.restoreId,
  encryptedPassword: null,
});
if (again.isErr()) {
  console.log(
    `  StartManual on a stopped restore: ${errorStatus(again.error)} ${again.error.code}`,
  );
  console.log(`    "${again.error.message}"`);
}
const noPassword = await action({
  action: "StartManual",
  restoreId: (await step(env.createRestore({ encrypted: true }), "created")).restoreId,
  encryptedPassword: null,
});
if (noPassword.isErr()) {
  console.log(`  StartManual on an encrypted restore without a password: ${noPassword.error.code}`);
  console.log(`    "${noPassword.error.message}"`);
}
console.log("");
