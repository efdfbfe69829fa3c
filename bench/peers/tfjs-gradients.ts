import { register } from "node:module";

/**
 * tfjs-core's Node bundle has no gradient functions: they ship only as ES modules with
 * extension-less imports (`from '../ops/sum'`) in a package Node treats as CommonJS, written
 * for bundlers. The `@tensorflow/tfjs` umbrella package bundles them; to stay with the three
 * packages we depend on, this resolve hook lets Node load them: it adds the `.js` and marks
 * tfjs-core's dist files as ES modules. They share the engine and gradient registry with the
 * Node bundle through tfjs's global namespace, and tfjs's Tensor has a structural
 * `instanceof`, so both copies' tensors interoperate.
 */
const hook = `
const dist = "/@tensorflow/tfjs-core/dist/";
export async function resolve(specifier, context, next) {
  const inDist = (context.parentURL ?? "").includes(dist);
  let r;
  try {
    r = await next(specifier, context);
  } catch (e) {
    if (!inDist || !specifier.startsWith(".")) throw e;
    r = await next(specifier + ".js", context);
  }
  if (r.url.includes(dist) && !r.url.endsWith("tf-core.node.js")) return { ...r, format: "module", shortCircuit: true };
  return r;
}`;

let done: Promise<void> | null = null;

export function registerTfjsGradients(): Promise<void> {
  done ??= (async () => {
    register("data:text/javascript," + encodeURIComponent(hook));
    await import("@tensorflow/tfjs-core/dist/register_all_gradients.js" as string);
  })();
  return done;
}
