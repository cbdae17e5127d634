import { describe, expect, it } from "vitest";
import {
  type Fence,
  marker,
  mismatches,
  sessionsOf,
  splitOutput,
} from "./support/quickstart-doc.js";

// The quickstart test is only as good as its comparison of output with the doc: these check that a
// drift is caught, and that what legitimately varies (ids of requests, times) is not.

const text = (body: string): Fence => ({ lang: "text", text: body, line: 1 });
const json = (body: string): Fence => ({ lang: "json", text: body, line: 1 });

describe("the quickstart's output check", () => {
  it("holds the status lines of curl -i, in order", () => {
    const shown = text("HTTP/1.1 204 No Content\n...\nHTTP/1.1 409 Conflict");
    expect(
      mismatches(shown, "HTTP/1.1 204 No Content\nx-request-id: 1\n\nHTTP/1.1 409 Conflict\n{}"),
    ).toEqual([]);
    expect(mismatches(shown, "HTTP/1.1 409 Conflict\nHTTP/1.1 204 No Content")).toHaveLength(1);
    expect(mismatches(shown, "HTTP/1.1 204 No Content")).toHaveLength(1);
  });

  it("holds each whole JSON body line shown, and skips one shortened with ...", () => {
    const shown = text(
      'HTTP/1.1 404 Not Found\n...\n\n{"itemNotFound":{"code":404}}\n{"message":"..."}',
    );
    expect(mismatches(shown, 'HTTP/1.1 404 Not Found\n\n{"itemNotFound":{"code":404}}')).toEqual(
      [],
    );
    expect(
      mismatches(shown, 'HTTP/1.1 404 Not Found\n\n{"itemNotFound":{"code":400}}'),
    ).toHaveLength(1);
  });

  it("holds every top-level plain value of a JSON block, but not the agent's times", () => {
    const shown = json(
      '{\n  "RestoreId": 13693,\n  "StartTime": "x",\n  "PublicKey": { "ModulusHex": "..." },\n  "State": "Completed"\n}',
    );
    expect(
      mismatches(shown, '{"RestoreId":13693,"StartTime":"y","PublicKey":{},"State":"Completed"}'),
    ).toEqual([]);
    expect(mismatches(shown, '{"RestoreId":13694,"State":"Completed"}')).toEqual([
      "docs/quickstart.md:1: RestoreId is 13694, the doc shows 13693",
    ]);
    expect(mismatches(shown, "not json")[0]).toContain("the output is not JSON");
  });

  it("holds the last line of any other output", () => {
    const shown = text('"RestoreStateId":6\n"RestoreStateId":3');
    expect(
      mismatches(shown, '"RestoreStateId":6\n"RestoreStateId":1\n"RestoreStateId":3\n'),
    ).toEqual([]);
    expect(mismatches(shown, '"RestoreStateId":5')).toHaveLength(1);
  });

  it("splits a doc into sessions at each pnpm start, with their settings, and an output into steps", () => {
    const doc = [
      "```sh\npnpm start\n```",
      "```text\nstarted\n```",
      "```sh\ncurl a\n```",
      "```json\n{}\n```",
      "```sh\nrm -rf /tmp/x\nDATA_DIR=/tmp/x RESTOREKIT_SIMULATED_AGENT=0 pnpm start\n```",
      "```sh\ncurl b\n```",
      "```text\nok\n```",
      "## Settings",
      "```sh\ncurl never\n```",
    ].join("\n\n");
    const sessions = sessionsOf(doc);
    expect(
      sessions.map((s) => [s.env, s.steps.map((step) => [step.command.text, step.expected?.lang])]),
    ).toEqual([
      [{}, [["curl a", "json"]]],
      [{ DATA_DIR: "/tmp/x", RESTOREKIT_SIMULATED_AGENT: "0" }, [["curl b", "text"]]],
    ]);
    expect(splitOutput(`${marker(0)}\none\n${marker(1)}\ntwo\n${marker(2)}\n`, 2)).toEqual([
      "one",
      "two",
    ]);
  });
});
