import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../src/cli/cli-args.js";

function usageOf(argv: readonly string[]): string {
  const parsed = parseCliArgs(argv, {});
  return parsed.isErr() ? parsed.error.message : "";
}

describe("parseCliArgs", () => {
  it("fills the demo's defaults", () => {
    expect(parseCliArgs(["restores", "get", "13689"], {})._unsafeUnwrap()).toEqual({
      command: "restores",
      action: "get",
      restoreId: 13689,
      url: "http://127.0.0.1:8080",
      tenantId: "1234",
      token: "demo-creator",
      json: false,
      passwordStdin: false,
      ifMatch: null,
      pageSize: null,
    });
    expect(parseCliArgs(["encrypt-password", "--restore", "13689"], {})._unsafeUnwrap()).toEqual({
      command: "encrypt-password",
      restoreId: 13689,
      url: "http://127.0.0.1:8080",
      tenantId: "1234",
      token: "demo-creator",
      passphrase: null,
      padding: "oaep-sha1",
    });
  });

  it("reads --name value and --name=value, after pnpm's --, with RESTOREKIT_URL, _TENANT and _TOKEN as defaults", () => {
    const env = {
      RESTOREKIT_URL: "http://10.0.0.5:9000/",
      RESTOREKIT_TOKEN: "t-env",
      RESTOREKIT_TENANT: "42",
    };
    expect(
      parseCliArgs(
        ["--", "restores", "start", "7", "--password-stdin", "--if-match", '"3"', "--json"],
        env,
      )._unsafeUnwrap(),
    ).toMatchObject({
      action: "start",
      restoreId: 7,
      url: "http://10.0.0.5:9000",
      tenantId: "42",
      token: "t-env",
      passwordStdin: true,
      ifMatch: '"3"',
      json: true,
    });
    expect(
      parseCliArgs(
        [
          "restores",
          "events",
          "7",
          "--page-size=50",
          "--url",
          "https://rk.example",
          "--token=t",
          "--tenant",
          "9",
        ],
        env,
      )._unsafeUnwrap(),
    ).toMatchObject({ pageSize: 50, url: "https://rk.example", token: "t", tenantId: "9" });
    expect(
      parseCliArgs(
        ["encrypt-password", "--restore=7", "--passphrase=a b=c", "--padding", "oaep-sha256"],
        env,
      )._unsafeUnwrap(),
    ).toMatchObject({ restoreId: 7, passphrase: "a b=c", padding: "oaep-sha256", tenantId: "42" });
  });

  it("answers help for no command, help, --help and -h anywhere", () => {
    for (const argv of [
      [],
      ["help"],
      ["--help"],
      ["-h"],
      ["restores", "get", "--help"],
      ["encrypt-password", "-h"],
    ]) {
      expect(parseCliArgs(argv, {})._unsafeUnwrap()).toEqual({ command: "help" });
    }
  });

  it("says what is wrong with a command line", () => {
    expect(usageOf(["decrypt"])).toBe(
      'unknown command "decrypt"; the commands are restores and encrypt-password',
    );
    expect(usageOf(["restores"])).toBe("restores needs an action: get, start, stop or events");
    expect(usageOf(["restores", "delete", "1"])).toBe(
      'unknown action "delete"; restores takes get, start, stop or events',
    );
    expect(usageOf(["restores", "get"])).toBe("restores get needs a restore id");
    expect(usageOf(["restores", "get", "1", "2"])).toBe('unexpected argument "2"');
    expect(usageOf(["restores", "get", "0"])).toBe(
      "the restore id must be a positive whole number",
    );
    expect(usageOf(["restores", "get", "1", "--password-stdin"])).toBe(
      "--password-stdin does not apply to get",
    );
    expect(usageOf(["restores", "start", "1", "--json=yes"])).toBe("--json takes no value");
    expect(usageOf(["restores", "events", "1", "--page-size", "1001"])).toBe(
      "--page-size must be a whole number from 1 to 1000",
    );
    expect(usageOf(["restores", "stop", "1", "--if-match", " "])).toBe(
      "--if-match must not be empty",
    );
    expect(usageOf(["restores", "get", "1", "--colour", "red"])).toBe("unknown option --colour");
    expect(usageOf(["restores", "get", "1", "--url"])).toBe("--url needs a value");
    expect(usageOf(["restores", "get", "1", "--url", "x", "--url", "y"])).toBe(
      "--url is given twice",
    );
    expect(usageOf(["restores", "get", "1", "--url", "ftp://x"])).toBe(
      "--url must be an http:// or https:// URL",
    );
    expect(usageOf(["restores", "get", "1", "--tenant", "a/b"])).toBe(
      "--tenant must be a tenant id (no spaces or slashes)",
    );
    expect(usageOf(["encrypt-password"])).toBe("--restore <id> is required");
    expect(usageOf(["encrypt-password", "13689"])).toBe('unexpected argument "13689"');
    expect(usageOf(["encrypt-password", "--restore", "1", "--padding", "pkcs1-v1_5"])).toBe(
      "--padding must be oaep-sha1 or oaep-sha256",
    );
  });

  it("takes any positive safe integer as the restore, and nothing else", {
    timeout: 30_000,
  }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (id) => {
        expect(parseCliArgs(["restores", "get", String(id)], {})._unsafeUnwrap()).toMatchObject({
          restoreId: id,
        });
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.startsWith("-") && (!/^\d+$/.test(s) || /^0+$/.test(s))),
        (text) => {
          expect(parseCliArgs(["restores", "get", text], {}).isErr()).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
