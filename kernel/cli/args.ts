// Argument parsing for every `gradlab` command: Node's util.parseArgs (strict), with its errors
// turned into one short line that names the command and where to read more.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Bad usage: the CLI prints `message` as one line and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed<O extends Options> {
  values: { [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : O[K] extends { multiple: true } ? string[] : string };
  positionals: string[];
}

/** `parseArgs` with `strict`; unknown options, missing values and stray arguments are UsageErrors. */
export function parseCommand<O extends Options>(command: string, args: string[], options: O, allowPositionals = true): Parsed<O> {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals, strict: true });
    return { values: values as Parsed<O>["values"], positionals };
  } catch (error) {
    throw new UsageError(`gradlab ${command}: ${describeParseError(error)} (see gradlab ${command} --help)`);
  }
}

/** Node's messages are long and speak of its API; these say what was wrong with the command line. */
function describeParseError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = /--[\w-]+/.exec(message)?.[0] ?? quoted;
      return /argument missing/.test(message) ? `${flag} needs a value` : `${flag} takes no value`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quoted}`;
    default:
      return message;
  }
}

/** A number of seconds > 0 from an option, or the default. */
export function secondsOption(command: string, name: string, value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`gradlab ${command}: --${name} must be a number of seconds > 0, got ${JSON.stringify(value)}`);
  return n;
}

/** A whole number ≥ 1 from an option, or the default. */
export function countOption(command: string, name: string, value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`gradlab ${command}: --${name} must be a whole number ≥ 1, got ${JSON.stringify(value)}`);
  return n;
}
