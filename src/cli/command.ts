import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A CLI command: its options (node:util parseArgs), its help text, and what it does. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly allowPositionals: boolean;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

export class UsageError extends Error {}

/** A --port value: 0 (any free port) to 65535. */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be 0-65535, not ${value}`);
  return n;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A --log-level value (pino's levels), checked before anything starts. @default info */
export function logLevel(value: unknown): string {
  const level = String(value ?? 'info');
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${level}`);
  return level;
}

/** Runs until SIGINT or SIGTERM, then `stop` (told which signal), then exits 0: the long-running commands' ending. */
export function untilStopped(stop: (signal: string) => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const end = async (signal: string) => {
      await stop(signal);
      resolve(0);
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}

/** Parses a command's arguments, answering --help itself. Returns the exit code. */
export async function runCommand(command: Command, argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals);
}
