// complete_request, inspect_request and is_complete_request, answered by TypeScript.
import type * as TS from "@tslab/typescript-for-tslab";
import type { Engine } from "../engine/engine.cjs";
import type { JsonObject } from "../wire/message.js";
import { codePointsToUtf16, utf16ToCodePoints } from "./unicode.js";

function cursor(content: JsonObject, code: string): number {
  const pos = typeof content.cursor_pos === "number" ? content.cursor_pos : [...code].length;
  return codePointsToUtf16(code, pos);
}

export function complete(engine: Engine, content: JsonObject): JsonObject {
  const code = typeof content.code === "string" ? content.code : "";
  const pos = cursor(content, code);
  const result = engine.complete(code, pos);
  const kinds = new Map<string, string>();
  for (const entry of result.original?.entries ?? []) if (!kinds.has(entry.name)) kinds.set(entry.name, entry.kind);
  const start = utf16ToCodePoints(code, result.start);
  const end = utf16ToCodePoints(code, result.end);
  return {
    status: "ok",
    matches: result.candidates,
    cursor_start: start,
    cursor_end: end,
    metadata: {
      // JupyterLab shows an icon per kind when this is present.
      _jupyter_types_experimental: result.candidates.map((text) => ({ start, end, text, type: completionType(kinds.get(text)) })),
    },
  };
}

function completionType(kind: string | undefined): string {
  switch (kind) {
    case "function":
    case "local function":
      return "function";
    case "method":
      return "method";
    case "property":
    case "getter":
    case "setter":
      return "property";
    case "class":
    case "local class":
      return "class";
    case "interface":
    case "type":
    case "enum":
      return "type";
    case "module":
    case "external module name":
      return "module";
    case "keyword":
      return "keyword";
    case "parameter":
      return "param";
    default:
      return kind ? "instance" : "<unknown>";
  }
}

export function inspect(engine: Engine, content: JsonObject): JsonObject {
  const code = typeof content.code === "string" ? content.code : "";
  const pos = cursor(content, code);
  for (const at of candidatePositions(code, pos)) {
    const info = engine.quickInfo(code, at);
    if (info) return { status: "ok", found: true, data: quickInfoBundle(info), metadata: {} };
  }
  return { status: "ok", found: false, data: {}, metadata: {} };
}

/** The cursor, the character before it, then the function whose call the cursor is in. */
function candidatePositions(code: string, pos: number): number[] {
  const positions = [pos, pos - 1];
  let depth = 0;
  for (let i = pos - 1; i >= 0; i--) {
    const c = code[i];
    if (c === ")") depth++;
    else if (c === "(") {
      if (depth === 0) {
        let j = i - 1;
        while (j >= 0 && /\s/.test(code[j]!)) j--;
        if (j >= 0) positions.push(j);
        break;
      }
      depth--;
    }
  }
  return positions.filter((p) => p >= 0 && p <= code.length);
}

function quickInfoBundle(info: TS.QuickInfo): JsonObject {
  // Preloaded names are imports of gradlab; "(alias) … import x" would only confuse.
  const signature = (info.displayParts ?? []).map((p) => p.text).join("").replace(/^\(alias\) ([\s\S]*)\nimport [\w$]+$/, "$1");
  const docs = (info.documentation ?? []).map((p) => p.text).join("");
  const tags = (info.tags ?? []).map((tag) => `@${tag.name}${tag.text ? " " + tag.text.map((p) => p.text).join("") : ""}`);
  const plain = [signature, docs, tags.join("\n")].filter((s) => s !== "").join("\n\n");
  const markdown = ["```typescript\n" + signature + "\n```", docs, tags.map((t) => `*${t}*`).join("  \n")].filter((s) => s !== "").join("\n\n");
  return { "text/plain": plain, "text/markdown": markdown };
}

export function isCompleteReply(engine: Engine, content: JsonObject): JsonObject {
  const code = typeof content.code === "string" ? content.code : "";
  return { ...engine.isComplete(code) };
}
