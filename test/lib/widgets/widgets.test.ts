// Widgets without a kernel (a script, a test): values are validated and kept, observers run,
// interact runs its function and folds changes that arrive during a run into one more run, and
// every widget has a static stand-in. The protocol itself is tested through the real kernel in
// test/kernel/widgets.test.ts.
import { describe, expect, it } from "vitest";
import { plot, widgets } from "../../../lib/index.js";

describe("widgets without a kernel", () => {
  it("sliders validate what code gives them and tell observers of changes", () => {
    const s = new widgets.IntSlider({ value: 3, min: 0, max: 10, description: "k" });
    const seen: string[] = [];
    s.observe(({ name, old, new: now }) => void seen.push(`${name} ${String(old)}→${String(now)}`), "value");
    s.value = 5;
    s.value = 5; // no change, no call
    expect(seen).toEqual(["value 3→5"]);
    expect(() => (s.value = 11)).toThrow("IntSlider: value 11 is outside [0, 10]");
    expect(() => (s.value = 2.5)).toThrow("IntSlider: value must be a whole number, got 2.5");
    expect(s.value).toBe(5);
    expect(() => new widgets.FloatLogSlider({ value: 0.1, min: 0, max: -2 })).toThrow(/min \(0\) must be below max \(-2\)/);
  });

  it("a log slider's value is base^exponent, in range", () => {
    const lr = new widgets.FloatLogSlider({ value: 0.01, min: -4, max: 0 });
    expect(lr.value).toBe(0.01);
    expect(() => (lr.value = 2)).toThrow("FloatLogSlider: value 2 is outside [0.0001, 1]");
  });

  it("a dropdown's options may be an object of anything: value is the option, label its name", () => {
    const square = (x: number) => x * x;
    const cube = (x: number) => x ** 3;
    const d = new widgets.Dropdown({ options: { square, cube }, value: cube });
    expect(d.label).toBe("cube");
    expect(d.value(2)).toBe(8);
    d.value = square;
    expect(d.label).toBe("square");
    expect(() => (d.value = Math.sqrt)).toThrow(/is not one of the options square, cube/);
  });

  it("interact runs its function for the starting values, then once per burst of changes", async () => {
    const a = new widgets.IntSlider({ value: 1, max: 100 });
    const calls: number[] = [];
    const panel = await widgets.interact(async ({ a }) => {
      calls.push(a);
      await new Promise((r) => setTimeout(r, 20));
      return `a = ${a}`;
    }, { a });
    expect(calls).toEqual([1]);
    for (let v = 2; v <= 30; v++) a.value = v; // a fast drag while the first re-render runs
    await panel.idle;
    expect(calls[0]).toBe(1);
    expect(calls.at(-1)).toBe(30);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(panel.fallbackHtml()).toContain("a = 30");
  });

  it("a figure's stand-in is its static image; a failing function shows its error", async () => {
    const slope = new widgets.FloatSlider({ value: 2, min: 0, max: 4 });
    const panel = await widgets.interact(({ slope }) => plot.line([0, slope]), { slope });
    expect(panel.fallbackHtml()).toContain('<img class="gradlab-static"');
    expect(panel.fallbackHtml()).toContain('type="range"');
    const broken = await widgets.interact(({ slope }) => {
      throw new Error(`no plot for ${slope}`);
    }, { slope });
    expect(broken.fallbackHtml()).toContain("no plot for 2");
  });

  it("Output keeps what it is given, in order", async () => {
    const out = new widgets.Output();
    await out.display("first");
    await out.display(plot.line([1, 2]));
    expect(out.outputs.map((o) => o.output_type)).toEqual(["display_data", "display_data"]);
    expect(out.outputs[0]).toMatchObject({ data: { "text/plain": "first" } });
    out.clear();
    expect(out.outputs).toEqual([]);
  });
});
