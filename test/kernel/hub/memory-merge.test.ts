// The memory merging a classroom's hub asks for (kernel/hub/memory-merge.ts): bin/share-memory.py, which
// `gradlab hub-config`'s jupyterhub_config.py runs, run for real, must mark the process and
// the programs it starts for Linux's same-page merging, or say in one line why it cannot.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ksmState, withMemoryMerge } from "../../../kernel/hub/memory-merge.js";
import { isLean } from "../../../kernel/lean.js";
import { ROOT } from "../../helpers/cli.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(ROOT, "bin", "share-memory.py");
/** Linux ≥ 6.4 reports per process whether it asked for merging. */
const reportsMergeAny = existsSync("/proc/self/ksm_stat") && readFileSync("/proc/self/ksm_stat", "utf8").includes("ksm_merge_any");

describe("memory merging for a classroom's kernels", () => {
  it("reads the machine's KSM switch", () => {
    expect(["on", "off", "absent"]).toContain(ksmState());
    if (existsSync("/sys/kernel/mm/ksm/run")) expect(ksmState()).toBe(readFileSync("/sys/kernel/mm/ksm/run", "utf8").trim() === "1" ? "on" : "off");
  });

  it("marks a program it starts (across exec), or says why not", () => {
    const [command, ...args] = withMemoryMerge(["cat", "/proc/self/ksm_stat"], PYTHON, SCRIPT);
    const r = spawnSync(command!, args, { encoding: "utf8" });
    if (reportsMergeAny) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/ksm_merge_any: yes/);
      // Merging is asked for either way; with KSM off it says how to turn it on.
      if (ksmState() === "off") expect(r.stderr).toMatch(/KSM is off on this machine: as root, echo 1 > \/sys\/kernel\/mm\/ksm\/run/);
      else expect(r.stderr).toBe("");
    } else {
      // An older Linux: the program still runs, and the reason is one line.
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^memory merging: /);
    }
  });

  it("a command that cannot run, or none, is one clear line and exit 1", () => {
    const script = withMemoryMerge([], PYTHON, SCRIPT);
    const none = spawnSync(script[0]!, script.slice(1), { encoding: "utf8" });
    expect(none.status).toBe(1);
    expect(none.stderr.trim()).toBe("usage: share-memory.py COMMAND [ARGS...]");
    const missing = spawnSync(script[0]!, [...script.slice(1), "no-such-command-here"], { encoding: "utf8" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^share-memory\.py: cannot run no-such-command-here: No such file or directory$/m);
  });

  it("a plain process has not asked for it", () => {
    if (!reportsMergeAny) return;
    const r = spawnSync("cat", ["/proc/self/ksm_stat"], { encoding: "utf8" });
    expect(r.stdout).toMatch(/ksm_merge_any: no/);
  });
});

describe("lean kernels", () => {
  it("GRADLAB_LEAN is on for any value but empty, 0 or false", () => {
    expect(isLean({})).toBe(false);
    for (const off of ["", "0", "false", "FALSE", " 0 "]) expect(isLean({ GRADLAB_LEAN: off }), off).toBe(false);
    for (const on of ["1", "yes", "true", "on"]) expect(isLean({ GRADLAB_LEAN: on }), on).toBe(true);
  });
});
