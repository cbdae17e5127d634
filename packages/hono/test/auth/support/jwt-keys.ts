import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
} from "jose";

/** A signing key pair of one algorithm and the public half as a JWK with its `kid`. */
export interface SigningKey {
  readonly alg: "RS256" | "ES256" | "PS256";
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: Record<string, unknown>;
  readonly publicPem: string;
}

export async function signingKey(alg: SigningKey["alg"], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { alg, kid, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export function keySet(...keys: SigningKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => key.publicJwk) } as unknown as JSONWebKeySet;
}

/** 2026-01-01T00:00:00Z, where the tests' clocks stand. */
export const NOW_S = Date.parse("2026-01-01T00:00:00Z") / 1000;

export interface Minted {
  readonly payload: JWTPayload;
  /** `exp` in epoch seconds; none when null. Default an hour after NOW_S. */
  readonly exp?: number | null;
  readonly header?: Record<string, unknown>;
}

/** A token signed with a key pair (kid and alg in the header). */
export function signWith(key: SigningKey, minted: Minted): Promise<string> {
  const jwt = new SignJWT(minted.payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...minted.header })
    .setIssuedAt(NOW_S - 60);
  const exp = minted.exp === undefined ? NOW_S + 3600 : minted.exp;
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(key.privateKey);
}

/** An HMAC token signed with the bytes of `secret`. */
export function signHmac(
  secret: string | Uint8Array,
  minted: Minted & { readonly alg?: "HS256" | "HS384" | "HS512" },
): Promise<string> {
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  const jwt = new SignJWT(minted.payload)
    .setProtectedHeader({ alg: minted.alg ?? "HS256", ...minted.header })
    .setIssuedAt(NOW_S - 60);
  const exp = minted.exp === undefined ? NOW_S + 3600 : minted.exp;
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(bytes);
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A token with `alg: none` and no signature, as an attacker would send it. */
export function unsigned(payload: JWTPayload, alg = "none"): string {
  return `${encode({ alg, typ: "JWT" })}.${encode({ exp: NOW_S + 3600, ...payload })}.`;
}
