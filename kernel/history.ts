// Execution history (history_request: tail, range, search), kept per user across sessions in
// a JSON-lines file. Entries are [session, line, input] or [session, line, [input, output]].
import { appendFile, appendFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

interface Entry {
  session: number;
  line: number;
  input: string;
  output: string | null;
}

export type HistoryItem = [number, number, string | [string, string | null]];

export interface HistoryQuery {
  hist_access_type?: unknown;
  output?: unknown;
  session?: unknown;
  start?: unknown;
  stop?: unknown;
  n?: unknown;
  pattern?: unknown;
  unique?: unknown;
}

/**
 * Lines are appended in batches: opening, writing and closing the file for every cell cost
 * the kernel's thread more than half a millisecond per cell, which a run of quick cells
 * feels. What is still pending when the process exits is written then.
 */
const WRITE_DELAY_MS = 100;

export class History {
  readonly session: number;
  private readonly current: Entry[] = [];
  private readonly file: string;
  private pending = "";
  private flushTimer: NodeJS.Timeout | null = null;
  private writing = false;

  constructor(dir: string) {
    this.file = path.join(dir, "history.jsonl");
    const counter = path.join(dir, "history-session");
    let last = 0;
    try {
      last = Number.parseInt(readFileSync(counter, "utf8"), 10) || 0;
    } catch {
      // First session of this user.
    }
    this.session = last + 1;
    try {
      writeFileSync(counter, String(this.session));
    } catch {
      // History still works for this session without the counter.
    }
  }

  add(line: number, input: string, output: string | null): void {
    const entry: Entry = { session: this.session, line, input, output };
    this.current.push(entry);
    this.pending += JSON.stringify(entry) + "\n";
    if (this.flushTimer) return;
    if (this.current.length === 1) process.once("exit", () => this.flushNow());
    this.flushTimer = setTimeout(() => this.flush(), WRITE_DELAY_MS);
    this.flushTimer.unref();
  }

  private flush(): void {
    this.flushTimer = null;
    if (this.pending === "") return;
    // One write at a time, so that batches land in order.
    if (this.writing) {
      this.flushTimer = setTimeout(() => this.flush(), WRITE_DELAY_MS);
      this.flushTimer.unref();
      return;
    }
    const lines = this.pending;
    this.pending = "";
    this.writing = true;
    appendFile(this.file, lines, () => {
      // Losing history lines must never disturb a cell.
      this.writing = false;
    });
  }

  /** At exit: an asynchronous write would never run. */
  private flushNow(): void {
    if (this.pending === "") return;
    try {
      appendFileSync(this.file, this.pending);
      this.pending = "";
    } catch {
      // As above.
    }
  }

  query(q: HistoryQuery): HistoryItem[] {
    const withOutput = q.output === true;
    let entries: Entry[];
    switch (q.hist_access_type) {
      case "tail":
        entries = lastN(this.all(), asInt(q.n, 10));
        break;
      case "range": {
        const requested = asInt(q.session, 0);
        // Zero and negative sessions count back from this one, as in IPython.
        const session = requested <= 0 ? this.session + requested : requested;
        const start = asInt(q.start, 1);
        const stop = q.stop === undefined || q.stop === null ? Infinity : asInt(q.stop, Infinity);
        entries = (session === this.session ? this.current : this.all()).filter((e) => e.session === session && e.line >= start && e.line < stop);
        break;
      }
      case "search": {
        const pattern = globToRegExp(typeof q.pattern === "string" ? q.pattern : "*");
        let matches = this.all().filter((e) => pattern.test(e.input));
        if (q.unique === true) {
          const seen = new Set<string>();
          // Keep the latest occurrence of each input, in chronological order.
          matches = matches.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
        }
        entries = q.n === undefined || q.n === null ? matches : lastN(matches, asInt(q.n, matches.length));
        break;
      }
      default:
        entries = [];
    }
    return entries.map((e) => [e.session, e.line, withOutput ? [e.input, e.output] : e.input]);
  }

  private all(): Entry[] {
    // Earlier sessions' entries come from the file, this session's from memory.
    const older: Entry[] = [];
    try {
      for (const line of readFileSync(this.file, "utf8").split("\n")) {
        if (line === "") continue;
        try {
          const e = JSON.parse(line) as Entry;
          if (e.session !== this.session) older.push(e);
        } catch {
          // A torn line from a crashed kernel is skipped.
        }
      }
    } catch {
      // No history file yet.
    }
    return [...older, ...this.current];
  }
}

function lastN<T>(items: T[], n: number): T[] {
  return n <= 0 ? [] : items.slice(-n);
}

function asInt(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : fallback;
}

/** Glob as in IPython's history search (SQLite GLOB): `*`, `?` and `[…]`, whole input. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) out += "\\[";
      else {
        const body = glob.slice(i + 1, end);
        out += "[" + body.replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}
