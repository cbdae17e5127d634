import { expect, it } from "vitest";
import { reachState } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import type { Tenant } from "../support/tenant-scope.js";

// The event log in pages, as the v2 API pages its lists: marker, limit, sort_dir, and a Link
// header to the next page while there may be one.

interface Page {
  readonly seqs: number[];
  readonly next: string | null;
}

async function page(tenant: Tenant, path: string): Promise<Page> {
  const answer = await tenant.send("GET", path);
  expect(answer.status, path).toBe(200);
  const events = (answer.json as { Events: { seq: number }[] }).Events;
  const link = answer.headers.get("link");
  const next = link === null ? null : (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? "unreadable");
  return { seqs: events.map((event) => event.seq), next };
}

/** Follows the Link headers from `first` to the end. */
async function walk(tenant: Tenant, first: string): Promise<number[][]> {
  const pages: number[][] = [];
  let path: string | null = first;
  while (path !== null) {
    const current: Page = await page(tenant, path);
    pages.push(current.seqs);
    path = current.next;
    expect(pages.length, "the links end").toBeLessThan(20);
  }
  return pages;
}

routeSuite("the event log in pages", (harness) => {
  it("walks the log both ways by following Link, a page at a time", async () => {
    const tenant = harness().tenant();
    // Created, start requested, queued, in progress, completed: five events.
    const id = await reachState(tenant, "Completed");
    const events = tenant.v1(`/restore/${id}/events`);
    const all = await page(tenant, events);
    expect(all.seqs).toEqual([1, 2, 3, 4, 5]);
    expect(all.next).toBeNull();

    expect(await walk(tenant, `${events}?limit=2`)).toEqual([[1, 2], [3, 4], [5]]);
    expect(await walk(tenant, `${events}?limit=2&sort_dir=desc`)).toEqual([[5, 4], [3, 2], [1]]);
    // A last page that is exactly full links to an empty one, which ends the walk.
    expect(await walk(tenant, `${events}?limit=5`)).toEqual([[1, 2, 3, 4, 5], []]);
    expect(await page(tenant, `${events}?marker=2&limit=2`)).toMatchObject({ seqs: [3, 4] });
    expect(await page(tenant, `${events}?marker=4&sort_dir=desc`)).toMatchObject({
      seqs: [3, 2, 1],
    });
    // `after` is marker's earlier name, oldest first.
    expect(await page(tenant, `${events}?after=3`)).toMatchObject({ seqs: [4, 5] });
  });

  it("answers 100 events when no limit is named, and at most 1000 whatever the limit", async () => {
    const tenant = harness().tenant();
    const id = await reachState(tenant, "InProgress");
    // Progress reports, each an event: 5 events so far (to InProgress), 1 047 in all.
    for (let i = 1; i <= 1_042; i += 1) {
      const answer = await tenant.report(id, [
        { op: "replace", path: "/files_restored", value: i },
      ]);
      expect(answer.status).toBe(204);
    }
    const events = tenant.v1(`/restore/${id}/events`);
    const first = await page(tenant, events);
    expect(first.seqs).toHaveLength(100);
    expect(first.next).toContain("marker=100");
    const big = await page(tenant, `${events}?limit=5000`);
    expect(big.seqs).toHaveLength(1_000);
    expect(big.seqs.at(-1)).toBe(1_000);
    expect(big.next).toContain("limit=1000");
    expect((await page(tenant, `${events}?sort_dir=desc&limit=1`)).seqs).toEqual([1_047]);
  }, 120_000);

  it("refuses a marker, limit or sort_dir it cannot read, naming each", async () => {
    const tenant = harness().tenant();
    const id = await tenant.create();
    const events = tenant.v1(`/restore/${id}/events`);
    for (const [query, named] of [
      ["marker=-1", "marker"],
      ["limit=ten", "limit"],
      ["sort_dir=up", "sort_dir"],
      ["after=1&marker=1", "after"],
      ["after=1&sort_dir=desc", "after"],
    ] as const) {
      const answer = await tenant.send("GET", `${events}?${query}`);
      expect(answer.status, query).toBe(400);
      expect(JSON.stringify(answer.json), query).toContain(named);
    }
  });
});
