import type { Readable, Writable } from "node:stream";

/** A terminal's standard input: what `process.stdin` is when a person types. */
interface MaybeTerminal extends Readable {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/**
 * Reads a passphrase. From a pipe or file: everything, less one final line
 * break (`printf` and `echo` both work). From a terminal: one line, typed
 * after `prompt` (written to `output`) without being shown; Ctrl+C cancels.
 *
 * @example
 * ```ts
 * const passphrase = await readPassphrase(process.stdin, process.stderr, "Passphrase: ");
 * ```
 */
export function readPassphrase(
  input: MaybeTerminal,
  output: Writable,
  prompt: string,
): Promise<string> {
  if (input.isTTY === true && typeof input.setRawMode === "function") {
    return fromTerminal(input, output, prompt);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    input.on("data", (chunk: Buffer | string) => {
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    });
    input.once("error", reject);
    input.once("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      chunks.forEach((chunk) => {
        chunk.fill(0);
      });
      resolve(text.replace(/\r?\n$/, ""));
    });
  });
}

function fromTerminal(input: MaybeTerminal, output: Writable, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    input.setRawMode?.(true);
    input.setEncoding("utf8");
    let typed = "";
    const finish = (outcome: () => void) => {
      input.off("data", onData);
      input.setRawMode?.(false);
      input.pause();
      output.write("\n");
      outcome();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") {
          finish(() => resolve(typed));
          return;
        }
        if (char === "\u0003") {
          finish(() => reject(new Error("cancelled")));
          return;
        }
        if (char === "\u007f" || char === "\b") typed = [...typed].slice(0, -1).join("");
        else typed += char;
      }
    };
    input.on("data", onData);
    input.resume();
  });
}
