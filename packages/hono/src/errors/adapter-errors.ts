/**
 * Failures the HTTP layer finds before a request reaches the service: they
 * have no meaning in core, so they live here, with the same shape (a stable
 * `code` and a safe `message`) as core's `RestoreError`.
 */
export type AdapterError =
  | { readonly code: "route_not_found"; readonly message: string }
  | {
      readonly code: "method_not_allowed";
      readonly message: string;
      /** The methods the route does take, for the `Allow` header. */
      readonly allow: readonly string[];
    }
  | { readonly code: "body_too_large"; readonly message: string; readonly limit: number }
  | { readonly code: "unsupported_media_type"; readonly message: string };

export type AdapterErrorCode = AdapterError["code"];

/** The HTTP status of each adapter error; core's `ERROR_STATUS` has the rest. */
export const ADAPTER_ERROR_STATUS = {
  route_not_found: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
} as const satisfies Record<AdapterErrorCode, number>;

export const AdapterErrors = {
  routeNotFound(): AdapterError {
    return {
      code: "route_not_found",
      message: "The backend services did not find anything matching the request URI.",
    };
  },
  methodNotAllowed(allow: readonly string[]): AdapterError {
    return {
      code: "method_not_allowed",
      // The client's method is not repeated: a runtime may pass any token through.
      message: `This resource supports only ${allow.join(", ")}.`,
      allow,
    };
  },
  bodyTooLarge(limit: number): AdapterError {
    return {
      code: "body_too_large",
      message: `The body is larger than the limit of ${limit} bytes.`,
      limit,
    };
  },
  unsupportedMediaType(accepted: readonly string[]): AdapterError {
    return {
      code: "unsupported_media_type",
      message: `The body must be sent as ${accepted.join(" or ")} in UTF-8.`,
    };
  },
} as const;
