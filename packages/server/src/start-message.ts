import type { StartInfo } from "./start-server.js";

/**
 * What the server prints once it listens: where it is, where its docs are,
 * how it stores, and in demo mode the tenant, its restores and one working
 * token per role. The first line always reads `restorekit is listening on
 * <url>`, which scripts and tests wait for.
 *
 * @example
 * ```ts
 * console.log(startMessage(server.info, process.uptime() * 1000));
 * ```
 */
export function startMessage(info: StartInfo, startedInMs: number): string {
  const lines = [
    `restorekit is listening on ${info.url} (started in ${seconds(startedInMs)})`,
    row("API docs", `${info.url}/docs (OpenAPI document: ${info.url}/openapi.json)`),
    row("storage", info.storage),
    row("catalog", info.catalog),
  ];
  const { demo } = info;
  if (demo === null) {
    lines.push(row("tokens", info.tokens.length === 0 ? "none" : info.tokens.join("; ")));
  } else {
    const { created } = demo.seeded;
    const seeded =
      created.length === 0
        ? "found in storage"
        : created.length === demo.restoreIds.length
          ? "created now, in state Creating"
          : `${created.join(", ")} created now`;
    lines.push(
      row("demo tenant", `${demo.tenantId}: restores ${demo.restoreIds.join(", ")} (${seeded})`),
      row("tokens", "send one as the X-Auth-Token header:"),
      ...demo.tokens.map((token) => `    ${token.token.padEnd(19)} ${token.describe}`),
      row(
        "agent key",
        `${demo.agentKeyPath} (${demo.agentKeyCreated ? "generated now" : "reused"}): the private key of demo-agent, which decrypts released passwords`,
      ),
    );
    if (info.tokens.length > 1) lines.push(row("more tokens", info.tokens.slice(1).join("; ")));
  }
  const agent = info.simulatedAgent;
  lines.push(
    row(
      "simulated agent",
      agent === null
        ? "off"
        : `on: machine ${agent.machineId} walks each started restore to Completed, one step every ${seconds(agent.stepMs)} (RESTOREKIT_SIMULATED_AGENT=0 to play the agent yourself)`,
    ),
  );
  if (demo !== null) {
    lines.push(
      row(
        "try",
        `curl -s ${info.url}/v1.0/${demo.tenantId}/restore/13692 -H 'X-Auth-Token: demo-observer'`,
      ),
    );
  }
  lines.push("Press Ctrl+C to stop.");
  return lines.join("\n");
}

/** Each warning as its own block, for standard error. */
export function warningMessage(warnings: readonly string[]): string {
  return warnings.map((warning) => `WARNING: ${warning}`).join("\n");
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(16)} ${value}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
