/** One problem with one setting: the environment variable (or file) and what is wrong with it. */
export interface ConfigIssue {
  /** The environment variable, e.g. `PORT`, or a place inside a file it names. */
  readonly variable: string;
  /** Never quotes a secret: a URL's password, a token, a key. */
  readonly message: string;
}

/**
 * Why the server did not start, as data: `main` prints `message` and exits 1.
 * No message holds a stack trace, a token, a password or a key.
 */
export type StartError =
  | {
      readonly code: "invalid_config";
      readonly message: string;
      readonly issues: readonly ConfigIssue[];
    }
  | { readonly code: "data_dir_unusable"; readonly message: string }
  | { readonly code: "storage_failed"; readonly message: string }
  | { readonly code: "listen_failed"; readonly message: string };

export type StartErrorCode = StartError["code"];

/** A setting that is wrong: every issue found, each naming its variable or file. */
export type ConfigError = Extract<StartError, { code: "invalid_config" }>;

/** Constructors, so every message is written once. */
export const StartErrors = {
  invalidConfig(issues: readonly ConfigIssue[]): ConfigError {
    const lines = issues.map((issue) => `  ${issue.variable}: ${issue.message}`);
    return {
      code: "invalid_config",
      message: `The configuration is invalid:\n${lines.join("\n")}`,
      issues,
    };
  },
  dataDirUnusable(dataDir: string, why: string): StartError {
    return {
      code: "data_dir_unusable",
      message: `The data directory ${dataDir} cannot be used: ${why}.`,
    };
  },
  storageFailed(what: string, why: string): StartError {
    return { code: "storage_failed", message: `The store could not be ${what}: ${why}` };
  },
  listenFailed(host: string, port: number, why: string): StartError {
    return {
      code: "listen_failed",
      message: `The server cannot listen on ${host}:${port}: ${why}.`,
    };
  },
} as const;
