import type { Migration } from "./migration.js";

/**
 * The agent's progress beyond what its finishing report carries (total and
 * remaining bytes), and the index the sweeper finds restores past their
 * deadline with. Never edit it once shipped: add the next migration instead.
 */
export const progressAndDeadlines: Migration = Object.freeze({
  version: 2,
  name: "0002_progress_and_deadlines.sql",
  sql: `-- restorekit 0002: progress totals, and the index of restores an agent may have left.

-- What the agent estimates is left, and the whole; both may be revised, unlike the done counts.
ALTER TABLE restores
  ADD COLUMN total_bytes     bigint,
  ADD COLUMN bytes_remaining bigint;

-- The sweeper's query: the restores waiting on their agent (StartRequested 6,
-- Queued 1, Preparing 9, InProgress 2, StopRequested 7) whose last event is
-- older than their state's deadline. Every event in those states is a change
-- of state or a word from the agent, so updated_at is when it was last heard.
CREATE INDEX restores_waiting_on_agent
  ON restores (state_id, updated_at)
  WHERE state_id IN (1, 2, 6, 7, 9);
`,
});
