// tslab keeps every earlier cell's declarations in one file that each cell re-parses, re-binds
// and prunes of the names it redeclares, so a cell's cost grew with the notebook. Here that file
// (the head) holds only recent cells: once it passes a few kilobytes its text is frozen into a
// numbered file that never changes again, so it is parsed and bound once.
//
// The files are chained through `.parent`: the cell's file to the head (tslab's own trick), the
// head to the newest frozen file, and so on down to the first. The checker resolves a name, and
// completion lists names, by walking parents, so a newer declaration shadows an older one of the
// same meaning and frozen files need no pruning.
//
// A frozen file exports its names. When a later cell shadows one of its types (an interface
// edited and run again), values declared with the old type keep it, and a new value inferred
// from them is declared with `import("./__prev_1__").Point`, as TypeScript names a type from
// another module; unexported, the old type could not be named and the cell would fail.
import type * as TS from "@tslab/typescript-for-tslab";
import type { InternalTs } from "./ts-internal.cjs";
import { topLevelNames } from "./top-level-names.cjs";

/** Makes a frozen file a module even when it declares nothing, as the head always is. */
const MODULE_PREFIX = "export {};\n";

/** Frozen once the head's text is longer than this (a few dozen typical cells). */
export const FREEZE_AT = 4096;

type WithParent = { parent: TS.Node | undefined };

export class DeclarationChunks {
  private readonly names: string[] = [];

  /** `roots` and `files` are the builder's extra root files and in-memory files, added to in place. */
  constructor(
    private readonly ts: InternalTs,
    private readonly dir: string,
    private readonly roots: string[],
    private readonly files: Map<string, string>,
  ) {}

  get count(): number {
    return this.names.length;
  }

  /** Adds `text` (declarations as the converter prints them) as the newest frozen file. */
  freeze(text: string): void {
    const name = `${this.dir}/__prev_${this.names.length}__.d.ts`;
    const names = topLevelNames(this.ts, name, MODULE_PREFIX + text);
    this.files.set(name, MODULE_PREFIX + text + (names.length > 0 ? `export { ${names.join(", ")} };\n` : ""));
    this.roots.push(name);
    this.names.push(name);
  }

  /** Chains `program`'s frozen files under the head file `head` (see above). */
  link(program: TS.Program, head: string): void {
    let below: TS.SourceFile | undefined;
    for (const name of this.names) {
      const file = program.getSourceFile(name);
      if (!file) throw new Error(`declarations file ${name} is missing from the program`);
      (file as unknown as WithParent).parent = below;
      below = file;
    }
    const headFile = program.getSourceFile(head);
    if (headFile) (headFile as unknown as WithParent).parent = below;
  }
}
