/**
 * Where a server of the HTTP benchmark spent its time: reads V8 CPU profiles
 * (`HTTP_BENCH_CPU_PROF=<dir> pnpm --filter @restorekit/hono bench`) and
 * prints the functions with the most self time, the files and packages they
 * live in, and the time under each of a few functions of interest.
 *
 *   tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--under name,name]
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
  const file = process.argv[2];
  if (file === undefined) throw new Error("usage: profile-summary.ts <file.cpuprofile>");
  const top = Number(argument("--top") ?? 30);
  const under = (argument("--under") ?? "").split(",").filter((name) => name !== "");
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + delta);
    total += delta;
  });

  const add = (map: Map<string, number>, key: string, value: number) =>
    map.set(key, (map.get(key) ?? 0) + value);
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    add(functions, `${functionName || "(anonymous)"} ${shortUrl(url)}:${lineNumber + 1}`, time);
    add(packages, packageOf(url), time);
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

  const share = (time: number) => `${((100 * time) / total).toFixed(1).padStart(5)} %`;
  const print = (title: string, map: Map<string, number>, limit: number) => {
    console.log(`\n${title}`);
    for (const [key, time] of [...map].sort((x, y) => y[1] - x[1]).slice(0, limit)) {
      console.log(`${share(time)}  ${key}`);
    }
  };
  console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
  print("self time by package", packages, 20);
  print(`self time, top ${top} functions`, functions, top);
  if (under.length > 0) print("time under (inclusive)", inclusive, under.length);
}

main();
