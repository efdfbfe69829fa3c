// A real classroom: Debian's JupyterHub with the configuration `gradlab hub-config` writes (test
// overrides in support/hub.ts: dummy logins, servers as this user, homes in a temporary folder). Six
// students are created through the hub's REST API; at the same time each runs a lesson and does
// the assignment through their own server; the teacher hands out, collects and grades, and the
// gradebook must hold the scores the students earned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gradlab, ROOT } from "../../helpers/cli.js";
import { TestHub } from "./support/hub.js";

const hub = new TestHub();
const { dir, homes } = hub;
const STUDENTS = ["ada", "alan", "grace", "edsger", "barbara", "donald"];
// Four complete the assignment, one skips the softmax task, one never hands in.
const PARTIAL = "barbara";
const ABSENT = "donald";
const source = join(ROOT, "notebooks", "assignments", "a1-activations.ipynb");
const ASSIGNMENT = "a1-activations.ipynb";

/** Every process's command line, from /proc. */
function commandLines(): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      out.push({ pid: Number(entry), argv: readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0") });
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** Runs `gradlab` asynchronously (the students work at the same time). */
function gradlabAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "gradlab.js"), ...args], { env: { ...process.env, GRADLAB_BACKEND: "cpu" }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

/** What a student hands in: their copy with the instructor's solutions typed in (all but `skip`). */
function doAssignment(studentCopy: string, skip: RegExp | null): void {
  const nb = JSON.parse(readFileSync(studentCopy, "utf8")) as { cells: { id: string; cell_type: string; source: string | string[] }[] };
  const solutions = new Map(
    (JSON.parse(readFileSync(source, "utf8")) as { cells: { id: string; source: string | string[] }[] }).cells.map((c) => [c.id, Array.isArray(c.source) ? c.source.join("") : c.source]),
  );
  for (const cell of nb.cells) {
    const text = solutions.get(cell.id);
    if (cell.cell_type !== "code" || !text?.includes("// BEGIN SOLUTION") || (skip && skip.test(text))) continue;
    cell.source = text.replace(/^\s*\/\/ (BEGIN|END) SOLUTION\n/gm, "");
  }
  writeFileSync(studentCopy, JSON.stringify(nb));
}

beforeAll(() => hub.start(), 180_000);
afterAll(() => hub.stop(), 60_000);

describe("a classroom on JupyterHub", () => {
  const tokens = hub.tokens;

  it("six students, created through the hub's API, get servers and the lessons in their homes", async () => {
    await hub.createStudents(STUDENTS);
    for (const s of STUDENTS) {
      expect(existsSync(join(homes, s, "gradlab", "03-activations.ipynb"))).toBe(true);
      // Lessons, not the assignments' sources (they hold the solutions).
      expect(existsSync(join(homes, s, "gradlab", "assignments"))).toBe(false);
    }
  }, 300_000);

  it("a student's kernel runs lean (no relay process) and shares identical memory where Linux can", async () => {
    const server = `${hub.url}/user/ada/api`;
    const auth = { Authorization: `token ${tokens.get("ada")}` };
    const r = await fetch(`${server}/kernels`, { method: "POST", headers: auth, body: JSON.stringify({ name: "gradlab" }) });
    expect(r.status, await r.clone().text()).toBe(201);
    const { id } = (await r.json()) as { id: string };
    try {
      // The kernel's processes: those whose command lines name its connection file.
      const kernelProcesses = () => commandLines().filter(({ argv }) => argv.some((a) => a.endsWith(`kernel-${id}.json`)));
      let pid = 0;
      for (let i = 0; i < 100 && !pid; i++) {
        pid = kernelProcesses().find(({ argv }) => argv[0]!.endsWith("node") && !argv.some((a) => a.endsWith("relay.cjs")))?.pid ?? 0;
        if (!pid) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(pid, "the student's kernel process").toBeGreaterThan(0);
      expect(readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")).toContain("GRADLAB_LEAN=1");
      // Its launcher started no socket relay.
      expect(kernelProcesses().filter(({ argv }) => argv.some((a) => a.endsWith("relay.cjs")))).toEqual([]);
      // Linux ≥ 6.4 shows whether a process asked for merging; the hub asked, its kernels inherit.
      const ksm = existsSync(`/proc/${pid}/ksm_stat`) ? readFileSync(`/proc/${pid}/ksm_stat`, "utf8") : "";
      if (ksm.includes("ksm_merge_any")) expect(ksm).toMatch(/ksm_merge_any: yes/);
    } finally {
      await fetch(`${server}/kernels/${id}`, { method: "DELETE", headers: auth });
    }
  }, 120_000);

  it("the teacher hands the assignment out to every student of the hub", () => {
    const r = gradlab(["handout", source, "--hub", hub.url, "--token", hub.teacherToken, "--home-template", `${homes}/{username}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/→ 6 student\(s\)/);
    for (const s of STUDENTS) {
      const copy = readFileSync(join(homes, s, "assignments", ASSIGNMENT), "utf8");
      expect(copy).toContain("// YOUR CODE HERE");
      expect(copy).not.toContain("// HIDDEN TESTS");
    }
  });

  it("all six, at once, run lesson 03 and their assignment through their own servers", async () => {
    for (const s of STUDENTS) {
      if (s === ABSENT) rmSync(join(homes, s, "assignments", ASSIGNMENT));
      else doAssignment(join(homes, s, "assignments", ASSIGNMENT), s === PARTIAL ? /function softmax/ : null);
    }
    const runs = STUDENTS.map(async (s) => {
      const server = ["--server", `${hub.url}/user/${s}/`, "--token", tokens.get(s)!];
      const lesson = await gradlabAsync(["run", join(homes, s, "gradlab", "03-activations.ipynb"), "--inplace", ...server]);
      const work = s === ABSENT ? { code: 0, stderr: "" } : await gradlabAsync(["run", join(homes, s, "assignments", ASSIGNMENT), "--inplace", "--continue-on-error", ...server]);
      return { s, lesson, work };
    });
    for (const { s, lesson, work } of await Promise.all(runs)) {
      expect(lesson.code, `${s}: ${lesson.stderr}`).toBe(0);
      // The partial submission fails its visible softmax test; the rest pass every visible test.
      expect(work.code, `${s}: ${work.stderr}`).toBe(s === PARTIAL ? 1 : 0);
    }
  }, 600_000);

  it("the teacher collects (missing reported, students' files untouched) and grades into a gradebook", () => {
    const before = new Map(STUDENTS.filter((s) => s !== ABSENT).map((s) => [s, readFileSync(join(homes, s, "assignments", ASSIGNMENT), "utf8")]));
    const submissions = join(dir, "submissions");
    const c = gradlab(["collect", ASSIGNMENT, "--hub", hub.url, "--token", hub.teacherToken, "--home-template", `${homes}/{username}`, "-o", submissions, "--due", "2099-01-01T00:00"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/5 of 6 handed in/);
    expect(c.stderr).toMatch(/missing: donald/);
    for (const [s, text] of before) expect(readFileSync(join(homes, s, "assignments", ASSIGNMENT), "utf8")).toBe(text);

    const book = join(dir, "gradebook");
    const g = gradlab(["grade", submissions, "--source", source, "--gradebook", book]);
    expect(g.code, g.stderr).toBe(0);
    const rows = readFileSync(join(book, "gradebook.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    const header = rows[0]!;
    const col = (name: string) => header.indexOf(name);
    const byStudent = new Map(rows.slice(1).map((r) => [r[0]!, r]));
    expect([...byStudent.keys()].sort()).toEqual([...STUDENTS].sort());
    for (const s of STUDENTS) {
      const row = byStudent.get(s)!;
      const expected = s === ABSENT ? ["missing", "0"] : s === PARTIAL ? ["graded", "16"] : ["graded", "20"];
      expect([row[col("status")], row[col("score")]], s).toEqual(expected);
      expect(row[col("max")]).toBe("20");
    }
    // The JSON gradebook says the same, test by test, and every student but the absent one has feedback.
    const json = JSON.parse(readFileSync(join(book, "gradebook.json"), "utf8")) as { students: { student: string; score: number; tests: Record<string, number> }[] };
    for (const st of json.students) expect(String(st.score)).toBe(byStudent.get(st.student)![col("score")]);
    expect(json.students.find((x) => x.student === PARTIAL)!.tests["softmax: values"]).toBe(0);
    for (const s of STUDENTS) expect(existsSync(join(book, "feedback", `${s}.ipynb`))).toBe(s !== ABSENT);
  }, 600_000);
});
