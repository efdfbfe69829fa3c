// The students of a class, found as home folders (a folder per student, or a JupyterHub's
// users), and the two file moves between teacher and students: handing an assignment out into
// every home, and collecting the submissions without touching the students' files.
import { chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { readNotebook } from "../notebook/nbformat.js";
import { makeStudentCopy } from "./assign.js";
import type { Collected } from "./gradebook.js";

export interface Student {
  name: string;
  home: string;
}

export interface StudentSource {
  homes?: string[];
  homesIn?: string;
  hub?: { url: string; token: string; homeTemplate: string };
}

/** A name fit for a file name and a gradebook row (hub names are already; folder names may not be). */
function checkedName(name: string, where: string): string {
  if (!/^[\w.@+-]+$/.test(name) || name.startsWith(".")) throw new Error(`${where}: ${JSON.stringify(name)} is not usable as a student name (letters, digits, . _ - @ +)`);
  return name;
}

interface HubUser {
  name: string;
  admin?: boolean;
  kind?: string;
}

/** Every student: named home folders, the folders in a parent, or the non-admin users of a hub. */
export async function findStudents(from: StudentSource): Promise<Student[]> {
  const students: Student[] = [];
  for (const home of from.homes ?? []) {
    if (!existsSync(home) || !statSync(home).isDirectory()) throw new Error(`${home}: not a folder (each --homes entry is one student's home)`);
    students.push({ name: checkedName(basename(home), home), home });
  }
  if (from.homesIn) {
    for (const entry of readdirSync(from.homesIn, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || entry.name === "lost+found") continue;
      students.push({ name: checkedName(entry.name, from.homesIn), home: join(from.homesIn, entry.name) });
    }
  }
  if (from.hub) {
    const url = `${from.hub.url.replace(/\/+$/, "")}/hub/api/users`;
    const response = await fetch(url, { headers: { Authorization: `token ${from.hub.token}` } }).catch((e: unknown) => {
      throw new Error(`could not reach the hub at ${url}: ${(e as Error).message}`);
    });
    if (!response.ok) throw new Error(`the hub answered ${response.status} for ${url}${response.status === 403 ? " (the token needs the admin role, or the users:list scope)" : ""}`);
    for (const u of (await response.json()) as HubUser[]) {
      if (u.admin || (u.kind && u.kind !== "user")) continue;
      students.push({ name: checkedName(u.name, "hub user"), home: from.hub.homeTemplate.replace(/\{username\}/g, u.name) });
    }
  }
  const seen = new Set<string>();
  for (const s of students) {
    if (seen.has(s.name)) throw new Error(`two students are named ${s.name}; name each home once`);
    seen.add(s.name);
  }
  return students.sort((a, b) => a.name.localeCompare(b.name));
}

/** Refuses a path a student could have pointed elsewhere (a symbolic link). */
function notALink(path: string): void {
  if (existsSync(path) && lstatSync(path).isSymbolicLink()) throw new Error(`${path} is a symbolic link; refusing to follow it`);
}

export interface HandoutResult {
  written: Student[];
  kept: Student[];
  failed: { student: Student; error: string }[];
}

/**
 * Writes the student copy of `sourcePath` into HOME/dir/ of every student, owned by the home's
 * owner. A student who already has the file keeps it (they may have started).
 */
export function handout(sourcePath: string, students: Student[], dir: string): HandoutResult {
  const name = basename(sourcePath);
  const copy = JSON.stringify(makeStudentCopy(readNotebook(sourcePath), name), null, 1) + "\n";
  const result: HandoutResult = { written: [], kept: [], failed: [] };
  for (const s of students) {
    try {
      const owner = statSync(s.home);
      const folder = join(s.home, dir);
      const target = join(folder, name);
      notALink(folder);
      notALink(target);
      if (existsSync(target)) {
        result.kept.push(s);
        continue;
      }
      if (!existsSync(folder)) {
        mkdirSync(folder, { recursive: true });
        chownTo(folder, owner.uid, owner.gid);
      }
      writeFileAtomic(target, copy, 0o644);
      chownTo(target, owner.uid, owner.gid);
      result.written.push(s);
    } catch (error) {
      result.failed.push({ student: s, error: (error as Error).message });
    }
  }
  return result;
}

function chownTo(path: string, uid: number, gid: number): void {
  // Only root can give a file away; anyone else writes files that are theirs anyway.
  if (process.getuid?.() === 0) chownSync(path, uid, gid);
}

export interface CollectResult {
  collected: Collected[];
  problems: string[];
}

/**
 * Copies every student's HOME/dir/name to out/STUDENT.ipynb (reading theirs, never changing it)
 * and records when each was saved, who is late and who handed nothing in (out/collected.json).
 */
export function collect(name: string, students: Student[], dir: string, out: string, due: Date | null): CollectResult {
  mkdirSync(out, { recursive: true });
  const collected: Collected[] = [];
  const problems: string[] = [];
  for (const s of students) {
    const file = join(s.home, dir, name);
    try {
      if (!existsSync(join(s.home, dir)) || !existsSync(file)) {
        collected.push({ student: s.name, file: null, submittedAt: null, late: false });
        continue;
      }
      notALink(join(s.home, dir));
      const st = lstatSync(file);
      if (st.isSymbolicLink() || !st.isFile()) throw new Error(`${file} is not a regular file`);
      // A file the student does not own was not written by them (say, a hard link to someone else's).
      const home = statSync(s.home);
      if (home.uid !== process.getuid?.() && st.uid !== home.uid) throw new Error(`${file} does not belong to ${s.name}`);
      const copy = join(out, `${s.name}.ipynb`);
      copyFileSync(file, copy);
      collected.push({ student: s.name, file: copy, submittedAt: st.mtime.toISOString(), late: due !== null && st.mtime > due });
    } catch (error) {
      problems.push(`${s.name}: ${(error as Error).message}`);
      collected.push({ student: s.name, file: null, submittedAt: null, late: false });
    }
  }
  writeFileAtomic(join(out, "collected.json"), JSON.stringify({ assignment: name, collectedAt: new Date().toISOString(), due: due?.toISOString() ?? null, students: collected }, null, 2) + "\n");
  return { collected, problems };
}
