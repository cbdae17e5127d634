import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { AgentPublicKey } from "@restorekit/core";

export interface RsaPair {
  readonly bits: number;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  /** The API's form of the public key. */
  readonly agentPublicKey: AgentPublicKey;
  readonly modulus: bigint;
}

const made = new Map<string, RsaPair>();

/** An RSA key pair, made once per test file for each size and exponent: generation is slow. */
export function rsaPair(bits: number, exponent = 0x10001): RsaPair {
  const id = `${bits}/${exponent}`;
  const cached = made.get(id);
  if (cached !== undefined) return cached;
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicExponent: exponent,
  });
  const jwk = publicKey.export({ format: "jwk" });
  const modulusHex = hexOf(jwk.n ?? "");
  const pair = {
    bits,
    publicKey,
    privateKey,
    agentPublicKey: { modulusHex, exponentHex: hexOf(jwk.e ?? "") },
    modulus: BigInt(`0x${modulusHex}`),
  };
  made.set(id, pair);
  return pair;
}

function hexOf(base64url: string): string {
  return Buffer.from(base64url, "base64url")
    .toString("hex")
    .toUpperCase()
    .replace(/^0+(?=.)/, "");
}
