/** A response read whole, so tests can compare and assert on it freely. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON; `undefined` when it is empty or not JSON. */
  readonly json: unknown;
}

/** What a test sends besides the method and path. */
export interface SendOptions {
  /** `X-Auth-Token`; none when absent. */
  readonly token?: string;
  /** A value sent as its JSON text. */
  readonly json?: unknown;
  /** A body sent as it is; a stream goes without `Content-Length`. */
  readonly body?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** `Content-Type`; `application/json` when there is a body, none when null. */
  readonly contentType?: string | null;
  readonly requestId?: string;
  readonly accept?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The `RequestInit` of a send: headers, and the body in the form the fetch API takes. */
export function requestInit(method: string, options: SendOptions): RequestInit {
  const headers = new Headers(options.headers);
  if (options.token !== undefined) headers.set("x-auth-token", options.token);
  if (options.requestId !== undefined) headers.set("x-request-id", options.requestId);
  if (options.accept !== undefined) headers.set("accept", options.accept);
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  if (body !== undefined && options.contentType !== null) {
    headers.set("content-type", options.contentType ?? "application/json");
  } else if (typeof options.contentType === "string") {
    headers.set("content-type", options.contentType);
  }
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (body !== undefined) {
    init.body = body as RequestInit["body"];
    // A stream body needs half duplex in Node's fetch.
    if (body instanceof ReadableStream) init.duplex = "half";
  }
  return init;
}
