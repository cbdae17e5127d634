import { defineConfig } from "vitest/config";
import projects from "./vitest.workspace.js";

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests never run against a stale build.
    conditions: ["@restorekit/source"],
  },
  ssr: {
    resolve: {
      conditions: ["@restorekit/source"],
    },
  },
  test: {
    projects,
  },
});
