// `pnpm start`: the server, from a bundle rebuilt whenever a source changed (see server-bundle.mjs).
import { runBundled } from "./server-bundle.mjs";

await runBundled("main");
