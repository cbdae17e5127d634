import { expect, it } from "vitest";
import { reachState, statePatch } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import type { Tenant } from "../support/tenant-scope.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface WireEvent {
  readonly seq: number;
  readonly type: string;
  readonly metadata: { readonly requestId: string; readonly actor: unknown };
}

async function eventsOf(tenant: Tenant, restoreId: number): Promise<WireEvent[]> {
  const answer = await tenant.send("GET", tenant.v1(`/restore/${restoreId}/events`));
  expect(answer.status).toBe(200);
  return (answer.json as { Events: WireEvent[] }).Events;
}

routeSuite("X-Request-Id", (harness) => {
  it("a sane id is echoed on every kind of answer, and recorded on the events its request appended", async () => {
    const tenant = harness().tenant();
    const created = await tenant.send("PUT", tenant.v1("/restore"), {
      requestId: "client-create-0001",
      json: {
        BackupId: 133599,
        BackupMachineId: 156953,
        DestinationMachineId: 156751,
        DestinationPath: "/srv/restore",
      },
    });
    expect(created.status).toBe(200);
    expect(created.headers.get("x-request-id")).toBe("client-create-0001");
    const restoreId = (created.json as { RestoreId: number }).RestoreId;

    const started = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
      requestId: "client-start-0002",
      json: { Action: "StartManual", Id: restoreId },
    });
    expect(started.status).toBe(204);
    expect(started.headers.get("x-request-id")).toBe("client-start-0002");

    const reported = await tenant.send("PATCH", tenant.v2(`/restores/${restoreId}`), {
      as: "agent",
      requestId: "agent-report-0003",
      json: statePatch("completed"),
      contentType: "application/json-patch+json",
    });
    expect(reported.status).toBe(204);
    expect(reported.headers.get("x-request-id")).toBe("agent-report-0003");

    // Rejected and no-op requests append nothing, and still echo the id.
    const rejected = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
      requestId: "client-rejected-0004",
      json: { Action: "StartManual", Id: restoreId },
    });
    expect(rejected.status).toBe(400);
    expect(rejected.headers.get("x-request-id")).toBe("client-rejected-0004");

    const events = await eventsOf(tenant, restoreId);
    expect(events.map(({ type, metadata }) => [type, metadata.requestId])).toEqual([
      ["RestoreCreated", "client-create-0001"],
      ["RestoreStartRequested", "client-start-0002"],
      ["RestoreFinished", "agent-report-0003"],
    ]);
  });

  it.each([
    ["none sent", undefined],
    ["empty", ""],
    ["201 characters", "r".repeat(201)],
    ["a space inside", "two words"],
    ["a control character", "id\u0001x"],
    ["DEL", "id\u007f"],
    ["a tab inside", "id\tx"],
    ["Latin-1", "idé"],
  ])("%s: a fresh UUID is answered, and it is what the events record", async (_name, sent) => {
    const tenant = harness().tenant();
    const restoreId = await tenant.create();
    const started = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
      ...(sent === undefined ? {} : { requestId: sent }),
      json: { Action: "StartManual", Id: restoreId },
    });
    expect(started.status).toBe(204);
    const answered = started.headers.get("x-request-id") ?? "";
    expect(answered).toMatch(UUID);
    const events = await eventsOf(tenant, restoreId);
    expect(events.at(-1)).toMatchObject({
      type: "RestoreStartRequested",
      metadata: { requestId: answered },
    });
  });

  it("200 visible ASCII characters are the longest id echoed as sent", async () => {
    const tenant = harness().tenant();
    const longest = `${"~!#$%&'*+-.^_`|"}${"Z".repeat(185)}`;
    expect(longest).toHaveLength(200);
    const restoreId = await reachState(tenant, "Queued");
    const stopped = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
      requestId: longest,
      json: { Action: "StopManual", Id: restoreId },
    });
    expect(stopped.status).toBe(204);
    expect(stopped.headers.get("x-request-id")).toBe(longest);
    expect((await eventsOf(tenant, restoreId)).at(-1)?.metadata.requestId).toBe(longest);
  });

  it("every answer carries one: errors, 404 routes, 405s and health checks alike", async () => {
    const tenant = harness().tenant();
    const requests = [
      ["GET", "/healthz"],
      ["GET", "/readyz"],
      ["GET", "/nowhere"],
      ["DELETE", tenant.v1("/restore/1")],
      ["GET", tenant.v1("/restore/1")],
      ["GET", tenant.v1("/restore/x")],
      ["POST", tenant.v1("/restore/action-requested")],
      ["PATCH", tenant.v2("/restores/1")],
    ] as const;
    for (const [method, path] of requests) {
      const echoed = await tenant.send(method, path, { requestId: "probe-1" });
      expect(echoed.headers.get("x-request-id"), `${method} ${path}`).toBe("probe-1");
      const generated = await tenant.send(method, path);
      expect(generated.headers.get("x-request-id"), `${method} ${path}`).toMatch(UUID);
    }
  });
});
