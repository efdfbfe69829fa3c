// Every command answers --help; bad usage is one line naming the command, and exit 2.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "../../../kernel/cli/help.js";
import { gradlab, ROOT } from "../../helpers/cli.js";

describe("the gradlab command line", () => {
  it("--version prints the package's version", () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    const r = gradlab(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`gradlab ${version}`);
  });

  it("--help lists every command; no command at all is usage (exit 2)", () => {
    const r = gradlab(["--help"]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
    expect(gradlab([]).code).toBe(2);
  });

  it.each(COMMANDS)("gradlab %s --help explains the command", (command) => {
    const r = gradlab([command, "--help"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: gradlab ${command}\\b`));
    expect(r.stderr).toBe("");
  });

  it.each([
    [["grade", "x.ipynb", "--source", "s.ipynb", "--bogus"], /^gradlab grade: unknown option --bogus \(see gradlab grade --help\)$/],
    [["run", "x.ipynb", "--timeout"], /^gradlab run: --timeout needs a value \(see gradlab run --help\)$/],
    [["run", "x.ipynb", "--inplace=yes"], /^gradlab run: --inplace takes no value/],
    [["install", "--user", "--system"], /^gradlab install: choose one of --user, --system/],
    [["install", "extra"], /^gradlab install: unexpected argument extra/],
    [["grade", "x.ipynb", "--source", "s.ipynb", "--parallel", "0"], /^gradlab grade: --parallel must be a whole number ≥ 1, got "0"$/],
    [["collect", "a.ipynb", "-o", "out"], /^gradlab collect: say where the students are/],
    [["nonsense"], /^gradlab: unknown command "nonsense" \(see gradlab --help\)$/],
  ] as const)("%j is one clear line, exit 2", (args, message) => {
    const r = gradlab([...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });
});
