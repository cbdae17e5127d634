const REDACTED = "[REDACTED]";

/**
 * A value that must not reach a log, a response or an error. Every way Node
 * turns it into text (`String()`, a template string, `JSON.stringify`,
 * `util.inspect`, `console.log`) prints `[REDACTED]`; only `reveal()` gives
 * the value. `dispose()` drops it and zeroes it when it is a byte array
 * (strings cannot be wiped in JavaScript, so they are only dropped).
 *
 * @example
 * ```ts
 * const passphrase = new Secret("correct horse");
 * console.log(`${passphrase}`); // [REDACTED]
 * openVault(passphrase.reveal());
 * passphrase.dispose();
 * ```
 */
export class Secret<T> {
  #value: T | undefined;
  #disposed = false;

  constructor(value: T) {
    this.#value = value;
  }

  /** The value. Throws once the secret has been disposed: reading it then is a bug. */
  reveal(): T {
    if (this.#disposed) throw new TypeError("The secret was disposed and can no longer be read.");
    return this.#value as T;
  }

  /** Drops the value; a `Uint8Array` is zeroed first. Safe to call twice. */
  dispose(): void {
    if (this.#value instanceof Uint8Array) this.#value.fill(0);
    this.#value = undefined;
    this.#disposed = true;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}
