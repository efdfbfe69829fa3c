import { afterEach, beforeEach, expect, vi } from "vitest";
import { CheckError } from "../../../lib/check/index.js";

/** Captures the "✓" lines checks print, so tests can assert on them without noise. */
export function capturePasses(): { lines: string[] } {
  const out = { lines: [] as string[] };
  beforeEach(() => {
    out.lines.length = 0;
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      out.lines.push(args.map(String).join(" "));
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return out;
}

/** Runs `f`, expecting a CheckError, and returns its message for content assertions. */
export function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckError);
    return (e as Error).message;
  }
  throw new Error("expected the check to fail, but it passed");
}
