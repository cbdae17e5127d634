/** Resolves after `ms`: the wait between the tries of a notification batch or a catch-up poll. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
