/**
 * One consistent CLI: the option vocabulary (--optimize, --memory-limit, --slice), operands from
 * .safetensors, numpy-style summaries, CLI wording of the library's fixes, the GPU fallback mode,
 * refusal of hopeless exhaustive searches, cut-short searches, convergence, and help that lists
 * every command and every flag.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { benchSubcommands } from "../../src/cli/commands/bench.js";
import { gpuSubcommands } from "../../src/cli/commands/gpu.js";
import { commands } from "../../src/cli/commands/index.js";
import { cliWording } from "../../src/cli/hints.js";
import { einsum, loadNpy, randn, saveNpy, saveSafetensors, tensor } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "multilinear-cli-consistency-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string): string => join(dir, name);

beforeAll(async () => {
  await saveNpy(f("a.npy"), randn([3, 4], { seed: 1 }));
  await saveNpy(f("b.npy"), randn([4, 5], { seed: 2 }));
  await saveNpy(f("c.npy"), randn([5, 2], { seed: 3 }));
  await saveNpy(f("big.npy"), randn([40, 50], { seed: 4 }));
  await saveNpy(
    f("special.npy"),
    tensor([
      [1, 2.5],
      [NaN, -Infinity],
    ]),
  );
  await saveSafetensors(f("w.safetensors"), { w: randn([4, 5], { seed: 2 }), v: randn([5, 2], { seed: 3 }) });
  await saveSafetensors(f("one.safetensors"), { only: randn([4, 5], { seed: 2 }) });
});

describe("help", () => {
  test("multilinear --help lists every command with a one-line description", async () => {
    const r = await runCli("--help");
    expect(r.code).toBe(0);
    for (const c of commands) {
      const line = r.stdout.split("\n").find((l) => l.trimStart().startsWith(`${c.name} `));
      expect(line, c.name).toBeDefined();
      expect(line!.slice(line!.indexOf(c.name) + c.name.length).trim().length, c.name).toBeGreaterThan(10);
    }
  });
  test("multilinear help <command> shows that command's help, as <command> --help does", async () => {
    for (const c of commands) {
      const a = await runCli("help", c.name);
      const b = await runCli(c.name, "--help");
      expect(a.code, c.name).toBe(0);
      expect(a.stdout, c.name).toBe(b.stdout);
      expect(a.stdout.length, c.name).toBeGreaterThan(20);
    }
    expect((await runCli("help", "bench", "einsum")).stdout).toMatch(/^usage: multilinear bench einsum/);
  });
  test("each command's help lists all its flags", async () => {
    const loaded = await Promise.all(commands.map((c) => c.load()));
    const all = [...loaded, ...benchSubcommands, ...gpuSubcommands].filter((c) => c.options !== undefined);
    expect(all.map((c) => c.name)).toEqual(expect.arrayContaining(["contract", "path", "decompose", "info", "einsum", "paths"]));
    for (const c of all) for (const flag of Object.keys(c.options!)) expect(c.help, `${c.name} --${flag}`).toContain(`--${flag}`);
  });
});

describe("one option vocabulary", () => {
  test("--optimizer is an alias of --optimize on contract and path; both default to auto", async () => {
    const eq = "ij,jk,kl->il";
    const ops = [f("a.npy"), f("b.npy"), f("c.npy")];
    const a = JSON.parse((await runCli("contract", eq, ...ops, "--optimizer", "sequential", "--json", "-o", f("o1.npy"))).stdout) as {
      path: number[][];
    };
    const b = JSON.parse((await runCli("contract", eq, ...ops, "--optimize", "sequential", "--json", "-o", f("o2.npy"))).stdout) as {
      path: number[][];
    };
    expect(a.path).toEqual(b.path);
    const p1 = await runCli("path", eq, "--shapes", "[[3,4],[4,5],[5,2]]", "--optimize", "greedy", "--json");
    const p2 = await runCli("path", eq, "--shapes", "[[3,4],[4,5],[5,2]]", "--optimizer", "greedy", "--json");
    expect(p1.code, p1.stderr).toBe(0);
    expect(JSON.parse(p1.stdout).optimizer).toBe("greedy");
    expect(JSON.parse(p2.stdout).optimizer).toBe("greedy");
    expect(JSON.parse((await runCli("path", eq, "--shapes", "[[3,4],[4,5],[5,2]]", "--json")).stdout).optimizer).toBe("auto");
    for (const c of ["contract", "path"])
      expect((await runCli(c, "--help")).stdout, c).toMatch(/--optimize NAME[^\n]*\n?[^\n]*default auto/);
  });
  test("contract --memory-limit max_input refuses a path needing more, and --slice runs it in pieces", async () => {
    // ab,bc,cd->ad with a tiny a and d: any path makes an intermediate larger than the largest input.
    await saveNpy(f("s0.npy"), randn([2, 30], { seed: 5 }));
    await saveNpy(f("s1.npy"), randn([30, 30], { seed: 6 }));
    await saveNpy(f("s2.npy"), randn([30, 30], { seed: 7 }));
    await saveNpy(f("s3.npy"), randn([30, 2], { seed: 8 }));
    const ops = ["s0", "s1", "s2", "s3"].map((n) => f(`${n}.npy`));
    const eq = "ab,bc,cd,de->ae";
    const ok = await runCli("contract", eq, ...ops, "--memory-limit", "max_input", "--json", "-o", f("lim.npy"));
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).memory_limit_elements).toBe(900);
    const tight = await runCli("contract", eq, ...ops, "--memory-limit", "320", "--dtype", "float64");
    expect(tight.code).toBe(2);
    expect(tight.stderr).toMatch(/--memory-limit/);
    expect(tight.stderr).not.toMatch(/memoryLimit/);
    const sliced = await runCli("contract", eq, ...ops, "--memory-limit", "320", "--slice", "--json", "-o", f("sliced.npy"));
    expect(sliced.code, sliced.stderr).toBe(0);
    expect(Number(JSON.parse(sliced.stdout).slices)).toBeGreaterThan(1);
    const want = einsum(eq, await Promise.all(ops.map((o) => loadNpy(o))));
    const got = await loadNpy(f("sliced.npy"));
    for (let i = 0; i < want.size; i++) expect(got.data[i]!).toBeCloseTo(want.data[i]!, 10);
    expect((await runCli("contract", eq, ...ops, "--slice")).stderr).toMatch(/--slice needs --memory-limit/);
    expect((await runCli("contract", eq, ...ops, "--memory-limit", "lots")).stderr).toMatch(
      /--memory-limit must be a byte count or max_input/,
    );
  });
  test("contract reads safetensors tensors as file.safetensors:name", async () => {
    const r = await runCli("contract", "ij,jk,kl->il", f("a.npy"), `${f("w.safetensors")}:w`, `${f("w.safetensors")}:v`, "--json");
    expect(r.code, r.stderr).toBe(0);
    const want = einsum("ij,jk,kl->il", [await loadNpy(f("a.npy")), await loadNpy(f("b.npy")), await loadNpy(f("c.npy"))]);
    const values = (JSON.parse(r.stdout) as { values: number[][] }).values.flat();
    values.forEach((v, i) => expect(v).toBeCloseTo(want.data[i]!, 12));
    expect((await runCli("contract", "ij,jk->ik", f("a.npy"), f("one.safetensors"), "--json")).code).toBe(0);
    const which = await runCli("contract", "ij,jk->ik", f("a.npy"), f("w.safetensors"));
    expect(which.code).toBe(2);
    expect(which.stderr).toMatch(/holds 2 tensors.*w\.safetensors:v/);
    expect((await runCli("contract", "ij,jk->ik", f("a.npy"), `${f("w.safetensors")}:nope`)).stderr).toMatch(/no tensor 'nope'.*v, w/);
  });
});

describe("contract output", () => {
  test("without -o: a numpy-style summary, not the whole array; nan and inf as numpy writes them", async () => {
    const r = await runCli("contract", "ij->ij", f("special.npy"));
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(1).join("\n")).toBe("[[ 1.   2.5]\n [ nan -inf]]\n");
    const big = await runCli("contract", "ij->ij", f("big.npy"));
    const lines = big.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/shape \[40, 50\] float64/);
    expect(lines).toHaveLength(1 + 7);
    expect(lines[1]).toMatch(/^\[\[.* … .*\]$/);
    expect(lines[4]).toBe(" …");
    expect(big.stdout.length).toBeLessThan(1000);
  });
  test("--json keeps the full machine form", async () => {
    const r = await runCli("contract", "ij->ij", f("big.npy"), "--json");
    const j = JSON.parse(r.stdout) as { values: number[][]; shape: number[]; flops: string; multiply_adds: string };
    expect(j.values).toHaveLength(40);
    expect(j.values[0]).toHaveLength(50);
    const s = JSON.parse((await runCli("contract", "ij->ij", f("special.npy"), "--json")).stdout) as { values: unknown[][] };
    expect(s.values).toEqual([
      [1, 2.5],
      ["nan", "-inf"],
    ]);
  });
  test("contract --json, path --json and bench einsum count FLOPs the same way (opt_einsum's)", async () => {
    const c = JSON.parse((await runCli("contract", "ij,jk->ik", f("a.npy"), f("b.npy"), "--json")).stdout) as {
      flops: string;
      multiply_adds: string;
    };
    const p = JSON.parse((await runCli("path", "ij,jk->ik", "--shapes", "[[3,4],[4,5]]", "--json")).stdout) as {
      flops: string;
      multiply_adds: string;
    };
    expect(c.flops).toBe("120"); // 2·3·4·5, as opt_einsum's flop_count
    expect(c.multiply_adds).toBe("60");
    expect(p.flops).toBe(c.flops);
    expect(p.multiply_adds).toBe(c.multiply_adds);
  });
});

describe("GPU backend and error wording", () => {
  test("--backend gpu says which mode it fell back to, in the text output too", async () => {
    await saveNpy(f("a32.npy"), randn([3, 4], { seed: 1, dtype: "float32" }));
    const r = await runCli("contract", "ij->ji", f("a32.npy"), "--backend", "gpu");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/backend: gpu\.js mode '(cpu|webasm)', a software mode on the CPU \(no usable GPU here, fell back to it\)/);
    const j = JSON.parse((await runCli("contract", "ij->ji", f("a32.npy"), "--backend", "gpu", "--json")).stdout) as {
      backend: string;
      gpu_software: boolean;
      gpu_mode: string;
    };
    expect(j.gpu_software).toBe(true);
    expect(j.backend).toBe(`gpujs:${j.gpu_mode}`);
  });
  test("fixes name the CLI flag, not the API option", async () => {
    const r = await runCli("contract", "ij->ji", f("a.npy"), "--backend", "gpu", "--gpu-mode", "cpu");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--dtype float32");
    expect(r.stderr).not.toMatch(/astype|downcast/);
    expect(cliWording("pass dtype: \"float32\" or optimize: 'greedy'; raise memoryLimit or sliceLimit")).toBe(
      "pass --dtype float32 or --optimize greedy; raise --memory-limit or --slice",
    );
  });
});

describe("long path searches", () => {
  const ring = (n: number): { eq: string; shapes: string } => {
    const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const terms = Array.from({ length: n }, (_, k) => `${letters[k]}${letters[(k + 1) % n]}`);
    return { eq: `${terms.join(",")}->`, shapes: JSON.stringify(terms.map(() => [3, 3])) };
  };
  test("path --optimize optimal refuses a hopeless search up front, suggesting dp, greedy or auto-hq", async () => {
    const { eq, shapes } = ring(16);
    const t0 = performance.now();
    const r = await runCli("path", eq, "--shapes", shapes, "--optimize", "optimal");
    expect(performance.now() - t0).toBeLessThan(60_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'optimal' search over 16 operands could visit about .*e\+\d+ contraction orders/);
    expect(r.stderr).toMatch(/--optimize dp, 'greedy' or 'auto-hq'|dp.*greedy.*auto-hq/);
    expect(r.stderr).toContain("--time-limit-ms");
  });
  test("with --time-limit-ms it runs and says the limit cut the search short", async () => {
    const { eq, shapes } = ring(16);
    const r = await runCli("path", eq, "--shapes", shapes, "--optimize", "optimal", "--time-limit-ms", "50", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).complete).toBe(false);
    const t = await runCli("path", eq, "--shapes", shapes, "--optimize", "optimal", "--time-limit-ms", "50");
    expect(t.stdout).toMatch(/cut the optimal search short/);
    const small = await runCli("path", "ab,bc,cd->ad", "--shapes", "[[2,3],[3,4],[4,5]]", "--optimize", "optimal", "--json");
    expect(JSON.parse(small.stdout).complete).toBe(true);
  });
});

describe("decompose reports convergence", () => {
  test("converged in JSON and text, and says plainly when it did not converge", async () => {
    await saveNpy(f("x.npy"), randn([6, 5, 4], { seed: 9 }));
    const stopped = await runCli("decompose", "cp", f("x.npy"), "--rank", "3", "--max-iter", "2", "--tol", "0", "--json");
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(JSON.parse(stopped.stdout).converged).toBe(false);
    const text = await runCli("decompose", "cp", f("x.npy"), "--rank", "3", "--max-iter", "2", "--tol", "0");
    expect(text.stdout).toMatch(/did not converge/);
    const done = await runCli("decompose", "cp", f("x.npy"), "--rank", "2", "--max-iter", "500", "--tol", "1e-3", "--json");
    expect(JSON.parse(done.stdout).converged).toBe(true);
    expect((await runCli("decompose", "tt", f("x.npy"), "--rank", "2", "--json")).stdout).toMatch(/"converged":true/);
  });
});
