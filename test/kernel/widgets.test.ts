// Widgets through the real kernel, spoken to as JupyterLab's widget manager does (Jupyter widgets
// protocol 2.1): comm_open on target jupyter.widget with the model state, updates both ways,
// request_state, custom messages, and interact re-rendering into its Output.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, outputsOf, type Message } from "./support/client.js";

type State = Record<string, unknown>;

describe("widgets", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await KernelClient.start();
  });
  afterAll(() => kernel.stop());

  /** Runs a cell; returns the widget models it opened (comm id → state) and the cell's messages. */
  async function cell(code: string): Promise<{ opened: Map<string, State>; messages: Message[] }> {
    const r = await kernel.run(code);
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    const opened = new Map<string, State>();
    for (const m of r.iopub) {
      if (m.header.msg_type !== "comm_open") continue;
      expect(m.content.target_name).toBe("jupyter.widget");
      expect(m.metadata).toEqual({ version: "2.1.0" });
      const data = m.content.data as { state: State; buffer_paths: unknown[] };
      expect(data.buffer_paths).toEqual([]);
      opened.set(m.content.comm_id as string, data.state);
    }
    return { opened, messages: r.iopub };
  }

  /** Sends a comm message as the page would; resolves with what the kernel sent back before idle. */
  async function fromPage(commId: string, data: State): Promise<Message[]> {
    const id = kernel.send("shell", "comm_msg", { comm_id: commId, data });
    await kernel.next((m) => m.channel === "iopub" && m.parent_header.msg_id === id && m.content.execution_state === "idle");
    return kernel.received.filter((m) => m.channel === "iopub" && m.parent_header.msg_id === id);
  }

  const byModel = (opened: Map<string, State>, name: string) => [...opened].filter(([, s]) => s["_model_name"] === name);

  it("a slider opens its model with ipywidgets 8's modules, and shows as a widget view with fallbacks", async () => {
    const { opened, messages } = await cell('const lr = new widgets.FloatSlider({ value: 0.5, min: 0, max: 1, step: 0.05, description: "lr" });\nlr');
    const [[id, state]] = byModel(opened, "FloatSliderModel") as [[string, State]];
    expect(state).toMatchObject({
      _model_module: "@jupyter-widgets/controls", _model_module_version: "2.0.0", _view_name: "FloatSliderView",
      _view_module: "@jupyter-widgets/controls", _view_module_version: "2.0.0", value: 0.5, min: 0, max: 1, step: 0.05, description: "lr",
    });
    // Its layout and style are models of their own, referenced as IPY_MODEL_<id>.
    const layout = byModel(opened, "LayoutModel").find(([lid]) => state["layout"] === `IPY_MODEL_${lid}`);
    expect(layout![1]).toMatchObject({ _model_module: "@jupyter-widgets/base", _model_module_version: "2.0.0" });
    expect(byModel(opened, "SliderStyleModel").some(([sid]) => state["style"] === `IPY_MODEL_${sid}`)).toBe(true);
    const [result] = outputsOf({ iopub: messages } as never, "execute_result");
    const data = result!.content.data as State;
    expect(data["application/vnd.jupyter.widget-view+json"]).toEqual({ version_major: 2, version_minor: 0, model_id: id });
    expect(data["text/plain"]).toBe('FloatSlider(value=0.5, min=0, max=1, step=0.05, description="lr")');
    expect(data["text/html"]).toContain('type="range"');
  });

  it("a value set in the page reaches the kernel and its observers; one set in code reaches the page", async () => {
    const { opened } = await cell('const seen: string[] = [];\nconst n = new widgets.IntSlider({ value: 3, max: 10 });\nn.observe((c) => void seen.push(`${c.name}: ${c.old} → ${c.new}`));\nn');
    const [[id]] = byModel(opened, "IntSliderModel") as [[string, State]];
    await fromPage(id, { method: "update", state: { value: 7 }, buffer_paths: [] });
    let r = await kernel.run("[n.value, seen]");
    expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("[ 7, [ 'value: 3 → 7' ] ]");
    // Out of range from the page (a stale view): clamped, and the page is told the real value.
    const echoed = await fromPage(id, { method: "update", state: { value: 42 }, buffer_paths: [] });
    expect(echoed.find((m) => m.header.msg_type === "comm_msg")!.content.data).toEqual({ method: "update", state: { value: 10 }, buffer_paths: [] });
    r = await kernel.run("n.value = 4;");
    const sent = r.iopub.find((m) => m.header.msg_type === "comm_msg")!;
    expect(sent.content).toEqual({ comm_id: id, data: { method: "update", state: { value: 4 }, buffer_paths: [] } });
    // A page that (re)connects asks for the whole state.
    const full = await fromPage(id, { method: "request_state" });
    expect(full.find((m) => m.header.msg_type === "comm_msg")!.content.data).toMatchObject({ method: "update", state: { value: 4, max: 10, _model_name: "IntSliderModel" } });
  });

  it("a dropdown syncs the chosen index; the kernel's value is the option itself", async () => {
    const { opened } = await cell('const opt = new widgets.Dropdown({ options: [["SGD", 1], ["Adam", 2]], value: 2, description: "optimizer" });\nopt');
    const [[id, state]] = byModel(opened, "DropdownModel") as [[string, State]];
    expect(state["_options_labels"]).toEqual(["SGD", "Adam"]);
    expect(state["index"]).toBe(1);
    expect(state).not.toHaveProperty("value");
    await fromPage(id, { method: "update", state: { index: 0 }, buffer_paths: [] });
    const r = await kernel.run("[opt.value, opt.label]");
    expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("[ 1, 'SGD' ]");
  });

  it("a button's click from the page runs its callbacks; a failing callback shows an error and the button keeps working", async () => {
    const { opened } = await cell('let clicks = 0;\nconst b = new widgets.Button({ description: "go" });\nb.onClick(() => { clicks++; if (clicks === 2) throw new Error("second click fails"); });\nb');
    const [[id]] = byModel(opened, "ButtonModel") as [[string, State]];
    await fromPage(id, { method: "custom", content: { event: "click" } });
    const failed = await fromPage(id, { method: "custom", content: { event: "click" } });
    expect(failed.find((m) => m.header.msg_type === "error")!.content.evalue).toBe("second click fails");
    await fromPage(id, { method: "custom", content: { event: "click" } });
    const r = await kernel.run("clicks");
    expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("3");
  });

  it("interact shows the result for the initial values, re-renders into its Output when a control moves, coalescing a burst", async () => {
    const { opened, messages } = await cell(
      'let runs = 0;\nconst k = new widgets.IntSlider({ value: 2, min: 0, max: 50, description: "k" });\n' +
        "const panel = await widgets.interact(({ k }) => { runs++; return `square ${k * k}`; }, { k });\npanel",
    );
    const [[outId, out]] = byModel(opened, "OutputModel") as [[string, State]];
    expect(out["_model_module"]).toBe("@jupyter-widgets/output");
    const [[sliderId]] = byModel(opened, "IntSliderModel") as [[string, State]];
    // The first result is in the Output's state and in the HTML fallback of the panel.
    const firstUpdate = messages.find((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === outId)!;
    expect(JSON.stringify(firstUpdate.content.data)).toContain("square 4");
    const [result] = outputsOf({ iopub: messages } as never, "execute_result");
    expect(result!.content.data["text/html"]).toContain("square 4");
    // A burst of 30 values, as a fast drag sends them: one or two runs, with the last value.
    const ids = Array.from({ length: 30 }, (_, i) => kernel.send("shell", "comm_msg", { comm_id: sliderId, data: { method: "update", state: { value: i + 10 }, buffer_paths: [] } }));
    await kernel.next((m) => m.channel === "iopub" && m.parent_header.msg_id === ids.at(-1) && m.content.execution_state === "idle");
    const r = await kernel.run("await panel.idle; [runs, k.value]");
    const [runs, value] = JSON.parse(String(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).replace(/ /g, "")) as [number, number];
    expect(value).toBe(39);
    expect(runs).toBeLessThanOrEqual(4);
    const outUpdates = kernel.received.filter((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === outId);
    expect(JSON.stringify(outUpdates.at(-1)!.content.data)).toContain(`square ${39 * 39}`);
    // Every message the page sent got one busy and one idle (widget managers count the idles),
    // the re-render included: it ran inside the last message's busy window.
    for (const id of ids) {
      const states = kernel.received.filter((m) => m.header.msg_type === "status" && m.parent_header.msg_id === id).map((m) => m.content.execution_state);
      expect(states).toEqual(["busy", "idle"]);
    }
    const lastIdle = kernel.received.findIndex((m) => m.header.msg_type === "status" && m.parent_header.msg_id === ids.at(-1) && m.content.execution_state === "idle");
    expect(kernel.received.indexOf(outUpdates.at(-1)!)).toBeLessThan(lastIdle);
  });

  it("a cell that moves a control re-renders interact at once and can await the result", async () => {
    await cell('const m = new widgets.IntSlider({ value: 1, max: 9 });\nlet shown = "";\nconst p4 = await widgets.interact(({ m }) => (shown = `m is ${m}`), { m });\np4');
    const r = await kernel.run("m.value = 7;\nawait p4.idle;\nshown");
    expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("'m is 7'");
  });

  it("an error inside interact's function shows in its output, and the next value renders again", async () => {
    const { opened } = await cell('const x = new widgets.IntSlider({ value: 1, max: 5 });\nconst p2 = await widgets.interact(({ x }) => { if (x === 3) throw new Error("three is bad"); return `ok ${x}`; }, { x });\np2');
    const [[outId]] = byModel(opened, "OutputModel") as [[string, State]];
    const [[xId]] = byModel(opened, "IntSliderModel") as [[string, State]];
    await fromPage(xId, { method: "update", state: { value: 3 }, buffer_paths: [] });
    await kernel.run("await p2.idle");
    const bad = kernel.received.filter((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === outId).at(-1)!;
    expect((bad.content.data as { state: { outputs: { output_type: string; evalue?: string }[] } }).state.outputs[0]).toMatchObject({ output_type: "error", evalue: "three is bad" });
    await fromPage(xId, { method: "update", state: { value: 4 }, buffer_paths: [] });
    await kernel.run("await p2.idle");
    const good = kernel.received.filter((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === outId).at(-1)!;
    expect(JSON.stringify(good.content.data)).toContain("ok 4");
  });

  it("what a cell prints or displays inside output.capture, and output.display, land in the Output widget", async () => {
    const { opened, messages } = await cell('const out = new widgets.Output();\nout.capture(() => { console.log("inside"); display(tensor([1, 2])); });\nconsole.log("outside");\nout');
    const [[outId]] = byModel(opened, "OutputModel") as [[string, State]];
    // Only what was outside the capture went to the cell.
    expect(messages.filter((m) => m.header.msg_type === "stream").map((m) => m.content.text)).toEqual(["outside\n"]);
    await kernel.run('await out.display("shown")');
    const updates = kernel.received.filter((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === outId);
    const last = (updates.at(-1)!.content.data as { state: { outputs: { output_type: string; text?: string; data?: State }[] } }).state.outputs;
    expect(last.map((o) => o.output_type)).toEqual(["stream", "display_data", "display_data"]);
    expect(last[0]!.text).toBe("inside\n");
    expect(last[1]!.data!["text/plain"]).toBe("tensor([1., 2.])");
    expect(last[2]!.data!["text/plain"]).toBe("shown");
  });

  it("an interrupt stops a slow interact run; the kernel, the widget and the other values keep working", async () => {
    const { opened } = await cell('const s = new widgets.IntSlider({ value: 0, max: 5 });\nconst p3 = await widgets.interact(({ s }) => { if (s !== 1) return `fast ${s}`; const t = Date.now(); while (Date.now() - t < 120_000) {} return "slow"; }, { s });\np3');
    const [[outId]] = byModel(opened, "OutputModel") as [[string, State]];
    const [[sId]] = byModel(opened, "IntSliderModel") as [[string, State]];
    const started = Date.now();
    const moved = kernel.send("shell", "comm_msg", { comm_id: sId, data: { method: "update", state: { value: 1 }, buffer_paths: [] } });
    await new Promise((r) => setTimeout(r, 500));
    const interrupt = await kernel.request("control", "interrupt_request", {});
    expect(interrupt.reply.content.status).toBe("ok");
    // The run shows that it was stopped where its result would be, well before the loop's end.
    const stopped = await kernel.next((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === outId && m.parent_header.msg_id === moved, 60_000);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(JSON.stringify(stopped.content.data)).toContain("interrupted");
    await fromPage(sId, { method: "update", state: { value: 2 }, buffer_paths: [] });
    const r = await kernel.run("await p3.idle; s.value");
    expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("2");
    const again = kernel.received.filter((m) => m.header.msg_type === "comm_msg" && m.content.comm_id === outId).at(-1)!;
    expect(JSON.stringify(again.content.data)).toContain("fast 2");
  }, 90_000);

  it("bad input gets a clear error", async () => {
    for (const [code, message] of [
      ["new widgets.FloatSlider({ min: 3, max: 1 })", "FloatSlider: min (3) must be below max (1)"],
      ["new widgets.FloatSlider({ value: 12, max: 10 })", "FloatSlider: value 12 is outside [0, 10]"],
      ['new widgets.Dropdown({ options: ["a", "b"], value: "c" })', 'Dropdown: "c" is not one of the options a, b'],
      ["new widgets.IntSlider({ value: 2.5 })", "IntSlider: value must be a whole number, got 2.5"],
      ["new widgets.FloatLogSlider({ value: 5, min: -3, max: 0 })", "FloatLogSlider: value 5 is outside [0.001, 1]"],
    ] as const) {
      const r = await kernel.run(code);
      expect(r.reply.content.status).toBe("error");
      expect(String(r.reply.content.evalue)).toContain(message);
    }
  });
});
