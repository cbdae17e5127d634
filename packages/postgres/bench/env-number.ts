/** What a number read from the environment must be. */
export interface EnvNumberRule {
  /** Whether 0 is allowed (a count of nothing, a warm-up of no time); default false. */
  readonly zero?: boolean;
  /** Whether it must be a whole number (samples, tenants); default false. */
  readonly integer?: boolean;
}

/**
 * A bench setting from the environment: `fallback` when unset or blank, the
 * number when it follows `rule`, and otherwise a `RangeError` naming the
 * variable, so a typo stops the run instead of measuring something else.
 */
export function envNumber(name: string, fallback: number, rule: EnvNumberRule = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  const whole = rule.integer === true;
  const fits =
    (whole ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
    (rule.zero === true ? value >= 0 : value > 0);
  if (!fits) {
    const kind = whole ? "an integer" : "a number";
    const bound = rule.zero === true ? ">= 0" : "> 0";
    throw new RangeError(`${name} must be ${kind} ${bound}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
