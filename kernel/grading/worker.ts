// `gradlab grade-worker`: runs one submission's cells inside the grading sandbox. The grader
// sends one cell at a time on stdin, so the instructor's hidden tests are never in a file the
// submission could read, and reach this process only after the submission's own cells have run.
// Each result goes back on fd 3 with the request's id, a random value the submission cannot
// know: lines it writes there itself are ignored. Everything this loop uses is taken before any
// submitted code runs, and lockdown() then freezes what the tests depend on.
import { read, writeSync } from "node:fs";
import { lockdown } from "./lockdown.js";
import type { IOPubMessage } from "../notebook/outputs.js";

const parse = JSON.parse;
const stringify = JSON.stringify;
const decoder = new TextDecoder();
const decode = decoder.decode.bind(decoder);
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const indexOf = Function.prototype.call.bind(String.prototype.indexOf) as (s: string, search: string) => number;
const sliceString = Function.prototype.call.bind(String.prototype.slice) as (s: string, start: number, end?: number) => string;
const push = Function.prototype.call.bind(Array.prototype.push) as <T>(a: T[], v: T) => number;
// lockdown() replaces process.exit and process.reallyExit (which exit calls) for the submission;
// the worker keeps the original to end itself.
const reallyExit = (process as unknown as { reallyExit?: (code: number) => never }).reallyExit?.bind(process);
const exitProcess: (code: number) => never = (code) => (reallyExit ? reallyExit(code) : process.exit(code));
const RESULTS_FD = 3;
/** Outputs of one cell beyond this are dropped (a submission printing gigabytes must not sink the grader). */
const MAX_OUTPUT_BYTES = 4 << 20;

export interface WorkerRequest {
  id: string;
  code: string;
}

export interface WorkerResult {
  id: string;
  status: "ok" | "error";
  executionCount: number | null;
  messages: IOPubMessage[];
  truncated: boolean;
}

const buffer = new Uint8Array(1 << 16);
let pending = "";

/** A chunk of stdin, read on libuv's thread pool (no stream, no event emitter a submission could patch). */
function readChunk(): Promise<number> {
  return new Promise((resolve, reject) => {
    const attempt = (): void =>
      read(0, buffer, 0, buffer.length, null, (error, n) => {
        // A non-blocking stdin (Node made it so once something touched process.stdin): wait, try again.
        if (error && (error as NodeJS.ErrnoException).code === "EAGAIN") setTimeout(attempt, 10);
        else if (error) reject(error);
        else resolve(n);
      });
    attempt();
  });
}

/**
 * The next request line from stdin, or null at its end. Not a blocking read: the event loop keeps
 * turning between cells, as in a notebook (the TypeScript service rebuilds on a timer).
 */
async function readLine(): Promise<string | null> {
  for (;;) {
    const nl = indexOf(pending, "\n");
    if (nl >= 0) {
      const line = sliceString(pending, 0, nl);
      pending = sliceString(pending, nl + 1);
      return line;
    }
    const n = await readChunk();
    if (n === 0) return null;
    pending += decode(buffer.subarray(0, n), { stream: true });
  }
}

function send(message: unknown): void {
  const bytes = encode(stringify(message) + "\n");
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(RESULTS_FD, bytes, offset, bytes.length - offset);
}

export async function gradeWorker(): Promise<never> {
  const { InProcessSession } = await import("../run/in-process.js");
  const session = await InProcessSession.start();
  lockdown(session.library);
  send({ ready: true });
  for (;;) {
    let line: string | null;
    try {
      line = await readLine();
    } catch (error) {
      writeSync(2, `grade-worker: cannot read the next cell: ${(error as Error).message}\n`);
      exitProcess(1);
    }
    if (line === null) exitProcess(0);
    const request = parse(line) as WorkerRequest;
    const messages: IOPubMessage[] = [];
    let bytes = 0;
    let truncated = false;
    // No deadline in here: the grader interrupts a cell that runs too long (SIGINT) from outside.
    const outcome = await session.execute(request.code, (m) => {
      const size = stringify(m.content).length;
      if (bytes + size > MAX_OUTPUT_BYTES) {
        truncated = true;
        return;
      }
      bytes += size;
      push(messages, m);
    }, 0);
    const result: WorkerResult = { id: request.id, status: outcome.status === "ok" ? "ok" : "error", executionCount: outcome.executionCount, messages, truncated };
    send(result);
  }
}
