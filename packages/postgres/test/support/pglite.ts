import { PGlite } from "@electric-sql/pglite";

/**
 * One in-memory PGlite for a whole test file: a fresh instance costs seconds
 * and hundreds of MB, so tests isolate themselves by schema instead.
 */
export function filePGlite(): Promise<PGlite> {
  return PGlite.create();
}
