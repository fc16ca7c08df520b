/**
 * The CLI's top level (usage, version, unknown commands, --help on every command) and `demo`.
 */
import { describe, expect, test } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { runCli } from "../helpers/cli.js";

describe("multilinear (top level)", () => {
  test("no arguments prints the usage and exits 2", async () => {
    const r = await runCli();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^usage: multilinear <command>/);
    for (const c of commands) expect(r.stdout).toContain(`  ${c.name}`);
  });

  test("--help exits 0", async () => {
    expect((await runCli("--help")).code).toBe(0);
    expect((await runCli("help")).code).toBe(0);
  });

  test("--version", async () => {
    const r = await runCli("--version");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^multilinear \d+\.\d+\.\d+\n$/);
  });

  test("an unknown command lists the commands", async () => {
    const r = await runCli("frobnicate");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`multilinear: unknown command 'frobnicate'; commands: ${commands.map((c) => c.name).join(", ")}\n`);
  });

  test("the command table's names and summaries are the command modules' own", async () => {
    for (const entry of commands) {
      const cmd = await entry.load();
      expect([cmd.name, cmd.summary]).toEqual([entry.name, entry.summary]);
    }
  });

  test.each(commands.map((c) => [c.name] as const))("%s --help", async (name) => {
    const r = await runCli(name, "--help");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`^usage: multilinear ${name}`));
  });
});

describe("multilinear demo", () => {
  test("contracts the CP-factorized expression, runs a paper-size CPμMoE and ends with its budget", async () => {
    const r = await runCli("demo");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("bi,bn,nr,ir,or->bo");
    expect(r.stdout).toMatch(/path \(opt_einsum linear form\) \[\[/);
    expect(r.stdout).toMatch(/brute-force oracle: .* -> OK\n/);
    expect(r.stdout).toMatch(/512 experts, rank 97 matched/);
    expect(r.stdout).toMatch(/factorized vs dense on 2 tokens .* -> OK\n/);
    expect(r.stdout).toMatch(/CPμMoE N=512 R=97 +591,969/);
  });

  test("--json", async () => {
    const r = await runCli("demo", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      ok: boolean;
      contraction: { ok: boolean; flops: string; naive_flops: string; path: number[][]; max_abs_err_vs_oracle: number };
      mumoe: { ok: boolean; rank: number; params: string; max_rel_err_vs_dense: number };
    };
    expect(j.ok).toBe(true);
    expect(BigInt(j.contraction.flops)).toBeLessThan(BigInt(j.contraction.naive_flops));
    expect(j.contraction.path).toHaveLength(4);
    expect(j.contraction.max_abs_err_vs_oracle).toBeLessThan(1e-10);
    expect(j.mumoe.rank).toBe(97);
    expect(j.mumoe.params).toBe("591969");
    expect(j.mumoe.max_rel_err_vs_dense).toBeLessThan(1e-4);
  });

  test("rejects positional arguments", async () => {
    const r = await runCli("demo", "extra");
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
