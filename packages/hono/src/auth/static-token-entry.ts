/**
 * One token of a `staticTokens` table. A user token has `roles` (and may name
 * its `userId`); an agent token has `agentId` and no roles.
 */
export interface StaticTokenEntry {
  /** What the client sends in `X-Auth-Token`: 1 to 8192 visible ASCII characters, unique in the table. */
  readonly token: string;
  /** The tenant the token belongs to: non-empty, at most 128 characters. */
  readonly tenantId: string;
  /** A user token's role names, such as `cloudbackup:admin` or `observer`. */
  readonly roles?: readonly string[];
  /**
   * A user token's user id, recorded as the actor of what it does. Default
   * `static-token-<n>`, n being the entry's 1-based position in the table.
   */
  readonly userId?: string;
  /** An agent token's agent (destination machine) id: a positive integer. */
  readonly agentId?: number;
  /** When the token stops working: an RFC 3339 date-time with a time zone, or a Date. Never when absent or null. */
  readonly expiresAt?: string | Date | null;
}
