import type { ADAPTER_ERROR_STATUS } from "@restorekit/hono";
import type { Result, ResultAsync } from "neverthrow";
import { describe, expectTypeOf, it } from "vitest";
import {
  type AdapterErrorCode,
  type ClientError,
  type CreateRestoreBody,
  createRestoreClient,
  type EventsPage,
  type VersionedDetails,
} from "../src/index.js";

const client = createRestoreClient({ baseUrl: "http://x", tenantId: "1", token: "t" });
const body: CreateRestoreBody = {
  BackupId: 1,
  BackupMachineId: "2",
  DestinationMachineId: 3,
  DestinationPath: "C:\\",
};

describe("the client's types", () => {
  it("answers ResultAsync everywhere, events as Results page by page", () => {
    expectTypeOf(client.get(1)).toEqualTypeOf<ResultAsync<VersionedDetails, ClientError>>();
    expectTypeOf(client.create(body)).toMatchTypeOf<ResultAsync<VersionedDetails, ClientError>>();
    expectTypeOf(client.events(1)).toMatchTypeOf<AsyncIterable<Result<EventsPage, ClientError>>>();
  });

  it("takes only a create body core's schema reads", () => {
    // @ts-expect-error DestinationPath is required
    void client.create({ BackupId: 1, BackupMachineId: 2, DestinationMachineId: 3 });
    // @ts-expect-error BackupId is an id, not a flag
    void client.create({ ...body, BackupId: true });
    // @ts-expect-error OverwriteFiles is a boolean
    void client.update(1, { ...body, OverwriteFiles: "yes" });
    // @ts-expect-error start takes a passphrase as text
    void client.start(1, { password: 42 });
  });

  it("narrows errors on their code, and refuses a code that does not exist", async () => {
    const result = await client.start(1, { password: "x" });
    if (result.isErr()) {
      const error = result.error;
      if (error.code === "password_required") {
        expectTypeOf(error.kind).toEqualTypeOf<"server">();
        expectTypeOf(error.status).toEqualTypeOf<number>();
        expectTypeOf(error.fault.badRequest).toMatchTypeOf<{ message: string } | undefined>();
      }
      if (error.code === "retry_budget_exhausted")
        expectTypeOf(error.attempts).toEqualTypeOf<number>();
      if (error.code === "encryption_failed") {
        expectTypeOf(error.reason).toEqualTypeOf<
          "no_public_key" | "key_unusable" | "passphrase_invalid" | "passphrase_too_long"
        >();
      }
      // @ts-expect-error no such code
      if (error.code === "password_requried") throw new Error("unreachable");
      // @ts-expect-error a network error has no status
      if (error.code === "network_error") void error.status;
    }
  });

  it("knows every code of the server's HTTP layer", () => {
    expectTypeOf<AdapterErrorCode>().toEqualTypeOf<keyof typeof ADAPTER_ERROR_STATUS>();
  });
});
