/**
 * The position of `presented` in `known`, or -1. Every digest is compared
 * byte by byte to the end, with no early exit and no branch on the bytes, so
 * the time taken depends on the size of the table only, never on how much of
 * a guess was right. Digests of distinct tokens differ, so at most one matches.
 */
export function digestMatch(presented: Uint8Array, known: readonly Uint8Array[]): number {
  let found = 0;
  // Indexed loops: no iterator is allocated per entry, which matters on every request.
  for (let index = 0; index < known.length; index += 1) {
    const candidate = known[index] as Uint8Array;
    let difference = candidate.length ^ presented.length;
    for (let at = 0; at < candidate.length; at += 1) {
      difference |= (candidate[at] as number) ^ (presented[at] ?? 0);
    }
    // 1 when difference is 0, else 0: the sign bit of (d | -d) is set for every positive d.
    const same = ((difference | -difference) >>> 31) ^ 1;
    found |= same * (index + 1);
  }
  return found - 1;
}
