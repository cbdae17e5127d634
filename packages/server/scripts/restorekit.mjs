// `pnpm restorekit`: the command line tool, from a bundle rebuilt whenever a source changed.
import { runBundled } from "./server-bundle.mjs";

await runBundled("cli");
