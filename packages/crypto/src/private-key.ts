import { createPrivateKey, type JsonWebKey, KeyObject } from "node:crypto";
import { err, ok, Result } from "neverthrow";
import { type AgentKey, checkRsaKey } from "./agent-key.js";
import { type CryptoError, CryptoErrors } from "./errors.js";

/** The forms `parseAgentPrivateKey` and `decryptPassword` read a private key in. */
export type AgentPrivateKeyInput = KeyObject | string | JsonWebKey;

/** An agent's RSA private key once checked, with its public half described. */
export interface AgentPrivateKey {
  readonly privateKey: KeyObject;
  readonly agentKey: AgentKey;
}

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;

const safeCreatePrivateKey = Result.fromThrowable(
  (input: Parameters<typeof createPrivateKey>[0]) => createPrivateKey(input),
  () => null,
);

/**
 * Reads an agent's RSA private key: a node:crypto `KeyObject`, an unencrypted
 * PEM string (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`) or a private
 * RSA JWK (with `d`). Its public half must pass the rules of
 * `parseAgentPublicKey`. Errors never quote the key.
 *
 * @example
 * ```ts
 * const key = parseAgentPrivateKey(readFileSync("agent.pem", "utf8"));
 * ```
 */
export function parseAgentPrivateKey(
  input: AgentPrivateKeyInput,
): Result<AgentPrivateKey, CryptoError> {
  const created = toKeyObject(input);
  if (created.isErr()) return err(created.error);
  const privateKey = created.value;
  return checkRsaKey(privateKey, "private").map((agentKey) => ({ privateKey, agentKey }));
}

function toKeyObject(input: unknown): Result<KeyObject, CryptoError> {
  if (input instanceof KeyObject) return ok(input);
  if (typeof input === "string") {
    const label = PEM_LABEL.exec(input)?.[1];
    if (label === undefined || !label.includes("PRIVATE")) {
      return err(
        CryptoErrors.malformedKey("private", "a key given as a string must be a private key PEM"),
      );
    }
    if (label.includes("ENCRYPTED")) {
      return err(
        CryptoErrors.malformedKey("private", "the PEM is passphrase-protected; decrypt it first"),
      );
    }
    return safeCreatePrivateKey({ key: input, format: "pem" }).mapErr(() =>
      CryptoErrors.malformedKey("private", "the PEM does not hold a readable key"),
    );
  }
  if (typeof input === "object" && input !== null && "kty" in input && "d" in input) {
    return safeCreatePrivateKey({ key: input as JsonWebKey, format: "jwk" }).mapErr(() =>
      CryptoErrors.malformedKey("private", "the JWK is not a readable RSA private key"),
    );
  }
  return err(
    CryptoErrors.malformedKey("private", "expected a KeyObject, a PEM string or a private JWK"),
  );
}
