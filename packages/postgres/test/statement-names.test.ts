import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateSchemaName } from "../src/index.js";
import { repositoryStatements } from "../src/repository-statements.js";

const schemaName = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,62}$/)
  .filter((name) => !name.startsWith("pg_"));

// Valid names 55 to 63 characters long that differ only at the end: what a 63-byte cut made equal.
const sharingLongPrefix = fc
  .tuple(
    fc.stringMatching(/^[a-z_][a-z0-9_]{54,59}$/).filter((name) => !name.startsWith("pg_")),
    fc.stringMatching(/^[a-z0-9_]{0,3}$/),
    fc.stringMatching(/^[a-z0-9_]{0,3}$/),
  )
  .map(([prefix, a, b]) => [`${prefix}${a}`, `${prefix}${b}`] as const);

const twoSchemas = fc
  .oneof(fc.tuple(schemaName, schemaName), sharingLongPrefix)
  .filter(([a, b]) => a !== b);

function statementsOf(name: string) {
  return Object.entries(repositoryStatements(validateSchemaName(name)._unsafeUnwrap()));
}

describe("prepared statement names", () => {
  it("are short and distinct across schemas and kinds, for any two valid schemas", () => {
    fc.assert(
      fc.property(twoSchemas, ([a, b]) => {
        const statements = [...statementsOf(a), ...statementsOf(b)];
        const names = statements.map(([, statement]) => statement.name);
        for (const name of names) {
          // Postgres keeps 63 bytes of a name; a plain identifier needs no quoting anywhere.
          expect(Buffer.byteLength(name, "utf8")).toBeLessThanOrEqual(63);
          expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
        }
        expect(new Set(names).size).toBe(statements.length);
        // One text per name: a name means the same statement wherever it was prepared.
        expect(new Set(statements.map(([, statement]) => statement.text)).size).toBe(names.length);
      }),
      { numRuns: 300 },
    );
  });

  it("are the same for the same schema every time, text included", () => {
    fc.assert(
      fc.property(schemaName, (name) => {
        expect(statementsOf(name)).toEqual(statementsOf(name));
      }),
    );
  });
});
