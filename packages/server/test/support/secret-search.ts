/** Searching texts for secrets in every encoding a leak could take, for the secrets audit. */

/** The encodings a secret is searched in; base64 covers both alphabets, padded or not. */
export type Encoding = "plain" | "hex-lower" | "hex-upper" | "base64";

export const ENCODINGS: readonly Encoding[] = ["plain", "hex-lower", "hex-upper", "base64"];

/**
 * Something that must not leak. A secret with `text` (a passphrase, a
 * token) is searched as that text and as its UTF-8 bytes encoded; one
 * without (a ciphertext, a sealing key) only as its bytes encoded.
 */
export interface Secret {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly text?: string;
}

/** One text searched: a log line, a response body or header block, an event row, a dump. */
export interface CorpusItem {
  /** Which corpus: "log", "responses", "events", "dump". */
  readonly corpus: string;
  /** Where in it, for a failure message: never the text itself. */
  readonly where: string;
  readonly text: string;
}

/** A secret found: which one, in which encoding, where. The text is never repeated. */
export interface Finding {
  readonly secret: string;
  readonly encoding: Encoding;
  readonly corpus: string;
  readonly where: string;
}

/** A leak that cuts a value short (a log field truncated to N characters) still shows its ends. */
const FRAGMENT_FROM = 40;
const FRAGMENT = 24;

export function textSecret(label: string, text: string): Secret {
  return { label, text, bytes: Buffer.from(text, "utf8") };
}

export function bytesSecret(label: string, bytes: Uint8Array): Secret {
  return { label, bytes };
}

/** The secret written in one encoding (base64: standard, padded); `undefined` for plain bytes. */
export function encode(secret: Secret, encoding: Encoding): string | undefined {
  const bytes = Buffer.from(secret.bytes);
  switch (encoding) {
    case "plain":
      return secret.text;
    case "hex-lower":
      return bytes.toString("hex");
    case "hex-upper":
      return bytes.toString("hex").toUpperCase();
    case "base64":
      return bytes.toString("base64");
  }
}

/** Every way an encoding may be written: base64 also unpadded and in the URL alphabet. */
function formsOf(secret: Secret, encoding: Encoding): string[] {
  const form = encode(secret, encoding);
  if (form === undefined) return [];
  if (encoding !== "base64") return [form];
  return [
    ...new Set([form, form.replace(/=+$/, ""), Buffer.from(secret.bytes).toString("base64url")]),
  ];
}

/** The encodings a secret is searched in: plain only for a secret that is text. */
export function encodingsOf(secret: Secret): Encoding[] {
  return ENCODINGS.filter((encoding) => encode(secret, encoding) !== undefined);
}

/**
 * What is searched for one encoded form: the whole form and, when long, its
 * first and last characters; each also as JSON writes it inside a string
 * (escapes, non-ASCII as \u, and `/` as `\/` the way v1 bodies write it).
 */
export function needlesOf(form: string): string[] {
  const pieces =
    form.length >= FRAGMENT_FROM ? [form, form.slice(0, FRAGMENT), form.slice(-FRAGMENT)] : [form];
  const needles = new Set<string>();
  for (const piece of pieces) {
    const json = JSON.stringify(piece).slice(1, -1);
    const ascii = json.replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    for (const variant of [piece, json, ascii]) {
      needles.add(variant);
      needles.add(variant.replaceAll("/", "\\/"));
    }
  }
  return [...needles];
}

/** How many encoded forms, and how many needles they make, for the figures the audit prints. */
export function searchSize(secrets: readonly Secret[]): { forms: number; needles: number } {
  let forms = 0;
  let needles = 0;
  for (const secret of secrets) {
    for (const encoding of encodingsOf(secret)) {
      forms += 1;
      needles += new Set(formsOf(secret, encoding).flatMap(needlesOf)).size;
    }
  }
  return { forms, needles };
}

/** Every secret, in every encoding, found in any item: each (secret, encoding, item) once. */
export function searchSecrets(secrets: readonly Secret[], items: readonly CorpusItem[]): Finding[] {
  const findings: Finding[] = [];
  for (const secret of secrets) {
    for (const encoding of encodingsOf(secret)) {
      const needles = [...new Set(formsOf(secret, encoding).flatMap(needlesOf))];
      for (const item of items) {
        if (needles.some((needle) => item.text.includes(needle))) {
          findings.push({ secret: secret.label, encoding, corpus: item.corpus, where: item.where });
        }
      }
    }
  }
  return findings;
}

/** A finding as a failure message may show it: no secret, no text of the item. */
export function describeFinding(finding: Finding): string {
  return `${finding.secret} (${finding.encoding}) in ${finding.corpus}: ${finding.where}`;
}
