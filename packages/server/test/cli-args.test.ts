import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../src/cli-args.js";

function usageOf(argv: readonly string[]): string {
  const parsed = parseCliArgs(argv, {});
  return parsed.isErr() ? parsed.error.message : "";
}

describe("parseCliArgs", () => {
  it("fills the demo's defaults", () => {
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

  it("reads --name value and --name=value, after pnpm's --, with RESTOREKIT_URL and RESTOREKIT_TOKEN as defaults", () => {
    const env = { RESTOREKIT_URL: "http://10.0.0.5:9000/", RESTOREKIT_TOKEN: "t-env" };
    expect(
      parseCliArgs(
        [
          "--",
          "encrypt-password",
          "--restore=7",
          "--tenant",
          "5678",
          "--passphrase=a b=c",
          "--padding",
          "oaep-sha256",
        ],
        env,
      )._unsafeUnwrap(),
    ).toMatchObject({
      restoreId: 7,
      url: "http://10.0.0.5:9000",
      tenantId: "5678",
      token: "t-env",
      passphrase: "a b=c",
      padding: "oaep-sha256",
    });
    expect(
      parseCliArgs(
        ["encrypt-password", "--restore", "7", "--url", "https://rk.example", "--token", "t"],
        env,
      )._unsafeUnwrap(),
    ).toMatchObject({ url: "https://rk.example", token: "t" });
  });

  it("answers help for no command, help, --help and -h", () => {
    for (const argv of [[], ["help"], ["--help"], ["-h"], ["encrypt-password", "--help"]]) {
      expect(parseCliArgs(argv, {})._unsafeUnwrap()).toEqual({ command: "help" });
    }
  });

  it("says what is wrong with a command line", () => {
    expect(usageOf(["decrypt"])).toBe(
      'unknown command "decrypt"; the one command is encrypt-password',
    );
    expect(usageOf(["encrypt-password"])).toBe("--restore <id> is required");
    expect(usageOf(["encrypt-password", "--restore"])).toBe("--restore needs a value");
    expect(usageOf(["encrypt-password", "--restore", "0"])).toBe(
      "--restore must be a positive whole number",
    );
    expect(usageOf(["encrypt-password", "--restore", "1", "--restore", "2"])).toBe(
      "--restore is given twice",
    );
    expect(usageOf(["encrypt-password", "--restore", "1", "--colour", "red"])).toBe(
      "unknown option --colour",
    );
    expect(usageOf(["encrypt-password", "13689"])).toBe('unexpected argument "13689"');
    expect(usageOf(["encrypt-password", "--restore", "1", "--url", "ftp://x"])).toBe(
      "--url must be an http:// or https:// URL",
    );
    expect(usageOf(["encrypt-password", "--restore", "1", "--tenant", "a/b"])).toBe(
      "--tenant must be a tenant id (no spaces or slashes)",
    );
    expect(usageOf(["encrypt-password", "--restore", "1", "--padding", "none"])).toBe(
      "--padding must be oaep-sha1, oaep-sha256 or pkcs1-v1_5",
    );
  });

  it("takes any positive safe integer as the restore, and nothing else", {
    timeout: 30_000,
  }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999_999_999 }), (id) => {
        expect(
          parseCliArgs(["encrypt-password", "--restore", String(id)], {})._unsafeUnwrap(),
        ).toMatchObject({
          restoreId: id,
        });
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\d+$/.test(s) || /^0+$/.test(s)),
        (text) => {
          expect(parseCliArgs(["encrypt-password", `--restore=${text}`], {}).isErr()).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
