export {
  type CatalogBackupEntry,
  type CatalogData,
  type CatalogMachineEntry,
  type CheckedCatalog,
  checkCatalog,
  mergeCatalogs,
  readCatalogFile,
} from "./catalog-data.js";
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  type Env,
  type JwtConfig,
  type LogLevel,
  MEMORY_DATA_DIR,
  readConfig,
  type ServerConfig,
  type StorageConfig,
} from "./config.js";
export { type DemoAgentKey, demoAgentKey } from "./demo-agent-key.js";
export {
  DEMO_AGENT_MACHINE_ID,
  DEMO_RESTORES,
  DEMO_TENANT,
  DEMO_TOKENS,
  demoCatalogData,
} from "./demo-data.js";
export { openStore, type Store } from "./open-store.js";
export { type SeedReport, seedDemo } from "./seed-demo.js";
export {
  type RunningAgent,
  type SimulatedAgentOptions,
  startSimulatedAgent,
} from "./simulated-agent.js";
export { type ConfigError, type ConfigIssue, type StartError, StartErrors } from "./start-error.js";
export { startMessage, warningMessage } from "./start-message.js";
export { type RunningServer, type StartInfo, startServer } from "./start-server.js";
export { staticCatalog } from "./static-catalog.js";
export { type ServerTokens, serverTokens } from "./token-verifier.js";
