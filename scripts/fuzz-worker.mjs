// Worker bootstrap for scripts/fuzz.ts: registers tsx so the TypeScript harness can be imported.
import { register } from "tsx/esm/api";

register();
await import("./fuzz-worker.ts");
