export {
  type ChangeOptions,
  type ChangeOutcome,
  type CreateRestoreBody,
  createRestoreClient,
  type RestoreClient,
  type RestoreClientOptions,
  type StartOptions,
  type VersionedDetails,
} from "./client.js";
export { encryptPassphrase, type OaepPadding } from "./encrypt-passphrase.js";
export {
  ADAPTER_ERROR_CODES,
  type AdapterErrorCode,
  type ClientError,
  type ClientErrorCode,
  type ClientErrorOf,
  describeError,
  type EncryptionError,
  type NetworkError,
  type RestoreNotEncryptedError,
  type RetryBudgetExhaustedError,
  type ServerError,
  type ServerErrorCode,
  type UnexpectedResponseError,
  type UnknownServerError,
  type V1Fault,
  type V1FaultEntry,
} from "./errors.js";
export {
  type EventsPage,
  nextLink,
  type RestoreEventWire,
  restoreEventSchema,
  restoreEventsSchema,
} from "./events.js";
export { backoffMs, parseRetryAfter, type RetryOptions, retryPolicy } from "./retry.js";
export type { FetchLike } from "./transport.js";
