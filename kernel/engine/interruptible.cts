// Makes awaited code interruptible. Node can stop JavaScript only while it runs inside a vm
// script with breakOnSigint; code resumed after an `await` runs outside of one. So cells are
// compiled to generators that the kernel steps itself, each step inside such a script:
// - top-level `await x` becomes `(yield x)` in a `function*` cell (marked by GENERATOR_MARK);
// - async functions defined in cells become generators driven by `__awaiter` (TypeScript's
//   ES2017 transform), which the kernel supplies as a guarded stepper.
// `for await` and async generators have no generator form here; such cells stay native async.
// Signals are not always safe, though: stopping JavaScript in the middle of a native WebGPU
// (Dawn) call crashes the process. Cells compiled while signals are unsafe get a check for an
// interrupt at the top of every loop iteration instead (LOOP_CHECK, a global the kernel
// installs). The check costs about 9 ns per iteration, so it is left out when signals work.
import type * as TS from "@tslab/typescript-for-tslab";
import type { InternalTs } from "./ts-internal.cjs";

export const GENERATOR_MARK = "use gradlab-generator";
/** The global function each loop iteration in a cell calls; it throws once the user interrupts. */
export const LOOP_CHECK = "__gradlabInterruptCheck";
/**
 * Where the kernel puts a function saying whether cells need loop checks (a global rather than
 * a setter here, because a kernel restored from a start-up snapshot holds another copy of
 * this module than the one its ES modules import).
 */
export const LOOP_CHECKS_WANTED = Symbol.for("gradlab.loopChecksWanted");

export function loopChecksWanted(): boolean {
  const wanted = (globalThis as Record<symbol, unknown>)[LOOP_CHECKS_WANTED];
  return typeof wanted === "function" && (wanted as () => boolean)() === true;
}

type Factory = TS.TransformerFactory<TS.SourceFile>;

export function interruptibleTransforms(ts: InternalTs): { beforeModule: Factory[]; afterModule: Factory[] } {
  const supported = new WeakMap<TS.Node, boolean>();
  const isSupported = (file: TS.SourceFile): boolean => {
    const original = ts.getOriginalNode(file);
    let result = supported.get(original);
    if (result === undefined) {
      result = !containsAsyncIteration(ts, original);
      supported.set(original, result);
    }
    return result;
  };

  const asyncFunctions: Factory = (context) => {
    const transform = ts.transformES2017(context);
    return (file) => (isSupported(file) ? transform(file) : file);
  };

  const topLevelAwait: Factory = (context) => (file) => {
    if (!isSupported(file)) return file;
    const { factory } = context;
    let found = false;
    const visit = (node: TS.Node): TS.Node => {
      if (isFunctionBoundary(ts, node)) return node;
      if (ts.isAwaitExpression(node)) {
        found = true;
        const operand = ts.visitNode(node.expression, visit) as TS.Expression;
        const yielded = ts.setTextRange(factory.createYieldExpression(undefined, operand), node);
        return ts.setOriginalNode(factory.createParenthesizedExpression(yielded), node);
      }
      return ts.visitEachChild(node, visit, context);
    };
    const statements = file.statements.map((s) => ts.visitNode(s, visit) as TS.Statement);
    if (!found) return file;
    const mark = factory.createExpressionStatement(factory.createStringLiteral(GENERATOR_MARK));
    return factory.updateSourceFile(file, [mark, ...statements]);
  };

  const loopChecks: Factory = (context) => (file) => {
    if (!loopChecksWanted()) return file;
    const { factory } = context;
    const check = (): TS.Statement => factory.createExpressionStatement(factory.createCallExpression(factory.createIdentifier(LOOP_CHECK), undefined, []));
    const withCheck = (body: TS.Statement): TS.Statement =>
      ts.isBlock(body) ? factory.updateBlock(body, [check(), ...body.statements]) : factory.createBlock([check(), body], true);
    const visit = (node: TS.Node): TS.Node => {
      const visited = ts.visitEachChild(node, visit, context);
      if (ts.isForStatement(visited)) return factory.updateForStatement(visited, visited.initializer, visited.condition, visited.incrementor, withCheck(visited.statement));
      if (ts.isForInStatement(visited)) return factory.updateForInStatement(visited, visited.initializer, visited.expression, withCheck(visited.statement));
      if (ts.isForOfStatement(visited)) return factory.updateForOfStatement(visited, visited.awaitModifier, visited.initializer, visited.expression, withCheck(visited.statement));
      if (ts.isWhileStatement(visited)) return factory.updateWhileStatement(visited, visited.expression, withCheck(visited.statement));
      if (ts.isDoStatement(visited)) return factory.updateDoStatement(visited, withCheck(visited.statement), visited.expression);
      return visited;
    };
    return ts.visitNode(file, visit) as TS.SourceFile;
  };

  return { beforeModule: [loopChecks, asyncFunctions], afterModule: [topLevelAwait] };
}

function isFunctionBoundary(ts: InternalTs, node: TS.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassLike(node);
}

function containsAsyncIteration(ts: InternalTs, root: TS.Node): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isForOfStatement(node) && node.awaitModifier) found = true;
    else if (ts.isFunctionLike(node) && (node as TS.FunctionLikeDeclaration).asteriskToken && ts.getCombinedModifierFlags(node as TS.Declaration) & ts.ModifierFlags.Async) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}
