/** A wrong or missing argument: the CLI prints the one-line reason and the usage, exit 2. */
export class CliUsageError extends Error {}

export type TFlagSpec = Record<string, { required?: boolean; boolean?: boolean }>;

/** Parses `--name value` and `--flag` pairs against a spec; anything unknown is an error. */
export function parseFlags<T extends TFlagSpec>(argv: string[], spec: T, { positional = 0 } = {}) {
  const flags: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      rest.push(arg);
      continue;
    }
    const [rawName, inlineValue] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const definition = spec[rawName];
    if (!definition) throw new CliUsageError(`unknown option --${rawName}`);
    if (definition.boolean) {
      flags[rawName] = true;
      continue;
    }
    const value = inlineValue ?? argv[++i];
    if (value === undefined || value.startsWith("--")) throw new CliUsageError(`--${rawName} needs a value`);
    flags[rawName] = value;
  }
  for (const [name, definition] of Object.entries(spec)) {
    if (definition.required && flags[name] === undefined) throw new CliUsageError(`--${name} is required`);
  }
  if (rest.length > positional) throw new CliUsageError(`unexpected argument "${rest[positional]}"`);

  return { flags: flags as Partial<Record<keyof T & string, string | boolean>>, positional: rest };
}
