/**
 * `npm run bench [-- <topic> …] [--quick]`: runs the benchmark topics and writes their sections into
 * docs/performance.md (each between `<!-- bench:<name> -->` markers, so topics can be re-run alone).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { machine, repoRoot, type BenchTopic } from "./harness.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const docPath = path.join(repoRoot(), "docs", "performance.md");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const noWrite = args.includes("--no-write");
  const wanted = args.filter((a) => !a.startsWith("--"));
  // Runs from the compiled copy (bench/dist/bench/*.bench.js, what `npm run bench` does) or from the sources under tsx.
  const ext = import.meta.url.endsWith(".ts") ? ".bench.ts" : ".bench.js";
  const files = readdirSync(here)
    .filter((f) => f.endsWith(ext))
    .sort();
  // A topic's name is its file name, so only the topics asked for are imported (and their peers loaded).
  const chosen = wanted.length === 0 ? files : files.filter((f) => wanted.includes(f.slice(0, -ext.length)));
  const topics: BenchTopic[] = [];
  for (const f of chosen) {
    const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { default: BenchTopic };
    if (wanted.length === 0 || wanted.includes(mod.default.name)) topics.push(mod.default);
  }
  if (topics.length === 0) {
    console.error(`no bench topic matches ${wanted.join(", ")}; topics: ${files.map((f) => f.replace(ext, "")).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  let doc = existsSync(docPath)
    ? readFileSync(docPath, "utf8")
    : "# Performance\n\nWritten by `npm run bench`. Each section names the machine and the date it was measured on.\n";
  for (const t of topics) {
    console.log(`== ${t.title}`);
    const started = new Date().toISOString().slice(0, 10);
    const body = await t.run({ quick, log: (l) => console.log(`   ${l}`) });
    const section = `<!-- bench:${t.name} -->\n## ${t.title}\n\nMeasured ${started} on ${machine()}${quick ? " (quick run)" : ""}.\n\n${body.trim()}\n<!-- /bench:${t.name} -->`;
    console.log(body);
    const re = new RegExp(`<!-- bench:${t.name} -->[\\s\\S]*?<!-- /bench:${t.name} -->`);
    doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
    // Written after every topic, so a later topic that fails keeps the earlier results.
    if (!noWrite) {
      writeFileSync(docPath, doc.endsWith("\n") ? doc : doc + "\n");
      console.log(`wrote ${path.relative(process.cwd(), docPath)} (${t.name})`);
    }
  }
}

await main();
