/**
 * Where the app writes its request log: a pino logger fits as it is. Only
 * the request id, method, path, status, duration and error code are ever
 * written; never a header, a body or a token.
 */
export interface RequestLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  /**
   * Whether a line at this level would be written (pino's `isLevelEnabled`).
   * When present, the app skips building a request line nobody reads.
   */
  isLevelEnabled?(level: "info"): boolean;
}
