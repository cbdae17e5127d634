import { type RestoreError, RestoreErrors } from "@restorekit/core";
import { err, ok, type Result } from "neverthrow";

/** A schema name that passed `validateSchemaName`. */
export type SchemaName = string & { readonly __brand: "SchemaName" };

export const DEFAULT_SCHEMA = "restorekit";

// Lower case only, so the quoted name means what an unquoted one would; `pg_` is reserved by Postgres.
const IDENTIFIER = /^(?!pg_)[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks a schema name: a lower-case identifier of at most 63 characters
 * (letters, digits, `_`, not starting with a digit or `pg_`). The name is
 * spliced into SQL text (quoted), so nothing else is accepted.
 *
 * @example
 * ```ts
 * validateSchemaName("restorekit").isOk(); // true
 * validateSchemaName('x"; DROP TABLE t; --').isErr(); // true
 * ```
 */
export function validateSchemaName(name: string): Result<SchemaName, RestoreError> {
  return typeof name === "string" && IDENTIFIER.test(name)
    ? ok(name as SchemaName)
    : err(
        RestoreErrors.invalidRequest([
          {
            path: "schema",
            message:
              "must be a lower-case identifier of at most 63 characters: letters, digits and _, not starting with a digit or pg_",
          },
        ]),
      );
}

/** The schema as an identifier for SQL text; safe only for a validated name. */
export function quoted(schema: SchemaName): string {
  return `"${schema}"`;
}

/** For the factories that return a port directly: a bad name is a wiring bug, caught at startup. */
export function schemaOrThrow(name: string | undefined): SchemaName {
  const result = validateSchemaName(name ?? DEFAULT_SCHEMA);
  if (result.isErr()) throw new RangeError(result.error.message);
  return result.value;
}
