import pino from "pino";

/** A pino logger writing to memory, and what it wrote. */
export interface CapturedLogger {
  readonly logger: pino.Logger;
  /** Every line written so far, as written. */
  text(): string;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  clear(): void;
}

/** Everything at debug and above, kept in memory rather than on stdout. */
export function capturedLogger(): CapturedLogger {
  let chunks: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void chunks.push(line) });
  return {
    logger,
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    clear() {
      chunks = [];
    },
  };
}
