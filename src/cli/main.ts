import { runCommand, UsageError, type Command } from './command.js';
import { cta2045Command } from './cta2045.js';
import { demoCommand } from './demo.js';
import { fingerprintCommand } from './fingerprint.js';
import { powermatcherCommand } from './powermatcher.js';
import { serveCommand } from './serve.js';
import { simulateCommand } from './simulate.js';
import { tokenCommand } from './token.js';
import { validateCommand } from './validate.js';

const commands: readonly Command[] = [serveCommand, validateCommand, simulateCommand, tokenCommand, fingerprintCommand, powermatcherCommand, cta2045Command, demoCommand];

const usage = `Usage: micromarket COMMAND [options]

Transactive micromarkets over OASIS Energy Interoperation, EMIX and WS-Calendar.

Commands:
${commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

Run "micromarket COMMAND --help" for a command's options.`;

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await runCommand(command, rest);
  } catch (error) {
    if (!(error instanceof UsageError)) {
      // A command that cannot go on (a service that does not answer, a port in use): its reason, not a stack trace.
      process.stderr.write(`micromarket ${name}: ${(error as Error).message ?? String(error)}\n`);
      return 1;
    }
    process.stderr.write(`micromarket: ${error.message}\n${command ? `Run "micromarket ${command.name} --help".` : usage}\n`);
    return 2;
  }
}
