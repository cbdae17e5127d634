import { type RestoreError, RestoreErrors } from "@restorekit/core";
import { err, errAsync, ok, Result, ResultAsync } from "neverthrow";
import { type AdapterError, AdapterErrors } from "../errors/adapter-errors.js";

/** 64 KiB: far above any real body of these routes, far below what hurts a server. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export type BodyError = RestoreError | AdapterError;

/** The media type of a `Content-Type` header, or an error when it is not one we take. */
function checkContentType(
  header: string | undefined | null,
  accepted: readonly string[],
): AdapterError | null {
  if (typeof header !== "string") return AdapterErrors.unsupportedMediaType(accepted);
  // What nearly every client sends, taken without splitting the header into parts.
  if (accepted.includes(header)) return null;
  const [type, ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  if (type === undefined || !accepted.includes(type)) {
    return AdapterErrors.unsupportedMediaType(accepted);
  }
  const charset = params.find((param) => param.startsWith("charset="));
  if (charset !== undefined && !/^charset="?utf-8"?$/.test(charset)) {
    return AdapterErrors.unsupportedMediaType(accepted);
  }
  return null;
}

/** Thrown by a read that passes the limit; carries the limit for the error it becomes. */
class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super("body too large");
  }
}

/** Reads at most `limit` bytes; one more means the body is too large, whatever it says it is. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function readDeclared(request: Request, limit: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  // An in-process Request may declare any length it likes; the bytes decide.
  if (bytes.byteLength > limit) throw new BodyTooLarge(limit);
  return bytes;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The request body as text: a media type the route takes (415 otherwise), at
 * most `limit` bytes (413, checked on the declared length first and on the
 * bytes as they arrive), UTF-8 (a body that is not is `invalid_json`).
 */
export function readBody(
  request: Request,
  accepted: readonly string[],
  limit: number,
): ResultAsync<string, BodyError> {
  return readBodyBytes(request, accepted, limit).andThen(decodedText);
}

/** The body as `readBody` reads it, with the bytes as they came (for a request's fingerprint). */
export function readBodyAndBytes(
  request: Request,
  accepted: readonly string[],
  limit: number,
): ResultAsync<{ readonly text: string; readonly bytes: Uint8Array }, BodyError> {
  return readBodyBytes(request, accepted, limit).andThen((bytes) =>
    decodedText(bytes).map((text) => ({ text, bytes })),
  );
}

function readBodyBytes(
  request: Request,
  accepted: readonly string[],
  limit: number,
): ResultAsync<Uint8Array, BodyError> {
  const typeProblem = checkContentType(request.headers.get("content-type"), accepted);
  if (typeProblem !== null) return errAsync(typeProblem);
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return errAsync(AdapterErrors.bodyTooLarge(limit));
  }
  // A declared length lets the runtime hand the bytes over whole (much cheaper on
  // Node than a stream); a body that does not match its length is refused by it.
  return Number.isFinite(declared)
    ? readDeclaredBytes(request, limit)
    : readLimitedBytes(request, limit);
}

/** What a failed read is to the client. */
const readError = (cause: unknown): BodyError =>
  cause instanceof BodyTooLarge
    ? AdapterErrors.bodyTooLarge(cause.limit)
    : RestoreErrors.invalidJson(1, 1, "the body could not be read");

// Made once, not per request.
const readDeclaredBytes = ResultAsync.fromThrowable(readDeclared, readError);
const readLimitedBytes = ResultAsync.fromThrowable(readLimited, readError);

function decodedText(bytes: Uint8Array): Result<string, BodyError> {
  const text = decodeUtf8(bytes);
  return text === null
    ? err(RestoreErrors.invalidJson(1, 1, "the body is not UTF-8 text"))
    : ok(text);
}

const decodeUtf8 = (bytes: Uint8Array): string | null => decodeStrict(bytes).unwrapOr(null);

const decodeStrict = Result.fromThrowable(
  (input: Uint8Array) => decoder.decode(input),
  () => null,
);
