import type { OnStorageError } from "../src/index.js";

let told = 0;

/** Tells stderr why the store failed, the first few times: a failed change is counted, not thrown. */
export const logStorageError: OnStorageError = ({ operation, error, cause }) => {
  told += 1;
  if (told > 5) return;
  const reason = cause instanceof Error ? cause.message : String(cause);
  process.stderr.write(`storage error in ${operation} (${error.code}): ${reason}\n`);
};
