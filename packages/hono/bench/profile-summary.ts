/**
 * Where a server of the HTTP benchmark spent its time: reads V8 CPU profiles
 * (`HTTP_BENCH_CPU_PROF=<dir> pnpm --filter @restorekit/hono bench`) and
 * prints the functions with the most self time, the files and packages they
 * live in, and the time under each of a few functions of interest.
 *
 * Several files are summed (e.g. the per-window profiles HTTP_BENCH_WINDOW_PROF writes).
 *
 *   tsx bench/profile-summary.ts <file.cpuprofile>... [--top N] [--under name,name]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

/** `node_modules/.pnpm/hono@4/node_modules/hono/dist/x.js` → `hono/dist/x.js`; ours from `packages/`. */
function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  const packages = url.indexOf("/packages/");
  if (packages >= 0) return url.slice(packages + 1);
  return url.replace(/^file:\/\//, "");
}

function packageOf(url: string): string {
  const short = shortUrl(url);
  if (short.startsWith("(")) return short;
  if (short.startsWith("node:")) return "node (internals)";
  if (short.startsWith("packages/")) return short.split("/").slice(0, 2).join("/");
  const parts = short.split("/");
  return short.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? short);
}

function main(): void {
  // Several files are summed: the window profiles of one variant (HTTP_BENCH_WINDOW_PROF).
  const files = process.argv.slice(2).filter((arg) => arg.endsWith(".cpuprofile"));
  if (files.length === 0) throw new Error("usage: profile-summary.ts <file.cpuprofile>...");
  const top = Number(argument("--top") ?? 30);
  const under = (argument("--under") ?? "").split(",").filter((name) => name !== "");

  const add = (map: Map<string, number>, key: string, value: number) =>
    map.set(key, (map.get(key) ?? 0) + value);
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes)
      for (const child of node.children ?? []) parent.set(child, node.id);
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      self.set(id, (self.get(id) ?? 0) + delta);
      total += delta;
    });
    for (const [id, time] of self) {
      const node = byId.get(id);
      if (node === undefined) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      add(functions, `${functionName || "(anonymous)"} ${shortUrl(url)}:${lineNumber + 1}`, time);
      if (functionName === "(idle)") idle += time;
      else add(packages, packageOf(url), time);
      // Counted once per sample under each named ancestor, however deep the recursion.
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const name = byId.get(at)?.callFrame.functionName ?? "";
        if (under.includes(name) && !seen.has(name)) {
          seen.add(name);
          add(inclusive, name, time);
        }
      }
    }
  }

  // Shares are of the time the process was busy: idle time says nothing of a request's cost.
  const busy = total - idle;
  const share = (time: number) => `${((100 * time) / busy).toFixed(1).padStart(5)} %`;
  const print = (title: string, map: Map<string, number>, limit: number) => {
    console.log(`\n${title}`);
    const shown = [...map].filter(([key]) => !key.startsWith("(idle)"));
    for (const [key, time] of shown.sort((x, y) => y[1] - x[1]).slice(0, limit)) {
      console.log(`${share(time)}  ${key}`);
    }
  };
  console.log(
    `${files.join(", ")}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (shares below are of the busy time)`,
  );
  print("self time by package", packages, 20);
  print(`self time, top ${top} functions`, functions, top);
  if (under.length > 0) print("time under (inclusive)", inclusive, under.length);
}

main();
