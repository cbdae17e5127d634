import { FAULT_KEYS } from "../../src/index.js";
import type { Answer } from "./http-answer.js";

/** What no answer may carry: a stack trace, a runtime error's name, SQL or a driver's words. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /\n\s*at\s/,
  /\bat\s+\S+\s+\(/,
  /node_modules/,
  /\.(?:ts|js|mjs|cjs):\d+/,
  /\b(?:SyntaxError|TypeError|RangeError|ReferenceError)\b/,
  /\bSELECT\s+\S[\s\S]*\bFROM\b/,
  /\bINSERT\s+INTO\b/i,
  /\bUPDATE\s+\S+\s+SET\b/i,
  /\bDELETE\s+FROM\b/i,
  /\bsyntax error at or near\b/i,
  /\brelation "[^"]*"/,
  /\bSQLSTATE\b/,
];

const VISIBLE_ASCII = /^[\x21-\x7e]{1,200}$/;

export interface SaneAnswerOptions {
  /** The path as sent: `/v2/...` answers in the agent's dialect. */
  readonly path: string;
  readonly method?: string;
  /** Whether the request asked for problem details. */
  readonly problem?: boolean;
}

/** The dialect a path answers in, by the path the app sees. */
export function dialectOfPath(path: string): "v1" | "v2" {
  return new URL(`http://localhost${path}`).pathname.startsWith("/v2/") ? "v2" : "v1";
}

/**
 * The problems of an answer to any request, however hostile, on a healthy
 * store: a 5xx, no `X-Request-Id` (or one that is not visible ASCII), an
 * error body that is not JSON in the route's dialect (or in RFC 9457's when
 * asked), or anything in it that looks like a stack or SQL. Empty when sane.
 */
export function answerProblems(answer: Answer, options: SaneAnswerOptions): string[] {
  const problems: string[] = [];
  const { status, headers, text, json } = answer;
  if (status >= 500) problems.push(`status ${status}`);
  const requestId = headers.get("x-request-id");
  if (requestId === null || !VISIBLE_ASCII.test(requestId)) {
    problems.push(`X-Request-Id ${JSON.stringify(requestId)}`);
  }
  for (const pattern of LEAK_PATTERNS) {
    if (pattern.test(text)) problems.push(`the body matches ${pattern}`);
  }
  if (status < 400 || options.method === "HEAD") return problems;

  if (options.problem === true) {
    if (headers.get("content-type") !== "application/problem+json; charset=utf-8") {
      problems.push(`content-type ${headers.get("content-type")}`);
    }
    const body = json as Record<string, unknown> | undefined;
    if (
      body === undefined ||
      typeof body.type !== "string" ||
      !body.type.startsWith("urn:restorekit:problem:") ||
      body.status !== status ||
      typeof body.title !== "string" ||
      typeof body.detail !== "string" ||
      typeof body.code !== "string"
    ) {
      problems.push(`not problem details: ${text.slice(0, 200)}`);
    }
    return problems;
  }

  if (headers.get("content-type") !== "application/json; charset=utf-8") {
    problems.push(`content-type ${headers.get("content-type")}`);
  }
  if (dialectOfPath(options.path) === "v2") {
    const body = json as Record<string, unknown> | undefined;
    const keys = body === undefined || body === null ? [] : Object.keys(body).sort();
    if (
      keys.join() !== "errors,message" ||
      typeof body?.message !== "string" ||
      !Array.isArray(body.errors) ||
      !body.errors.every((line) => typeof line === "string")
    ) {
      problems.push(`not a v2 error body: ${text.slice(0, 200)}`);
    }
    return problems;
  }
  const body = json as Record<string, Record<string, unknown>> | undefined;
  const keys = body === undefined || body === null ? [] : Object.keys(body);
  const fault = keys.length === 1 ? body?.[keys[0] as string] : undefined;
  if (
    keys[0] !== (FAULT_KEYS[status] ?? "instanceFault") ||
    fault === undefined ||
    Object.keys(fault).sort().join() !== "code,details,message" ||
    fault.code !== status ||
    typeof fault.message !== "string" ||
    typeof fault.details !== "string"
  ) {
    problems.push(`not a v1 fault body: ${text.slice(0, 200)}`);
  }
  return problems;
}
