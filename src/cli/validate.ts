import { readFile } from 'node:fs/promises';
import { isMicromarketError } from '../errors.js';
import { loadRuleFile, RulesError } from '../rules/load.js';
import { ruleFile } from '../xml/market-rules.js';
import { XmlPipeline } from '../xml/pipeline.js';
import { SchemaSet } from '../xml/schema-set.js';
import { UsageError, type Command } from './command.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check XML files against the bundled schemas',
  usage: `Usage: micromarket validate FILE...

Checks each file as the service would check a request: size and nesting limits, no DOCTYPE or
entities, well-formed, valid against the bundled schemas (xsd/), and readable as an EI payload.
A market rule file (root rules:market) gets the checks the service makes at start-up as well:
its .ics hours and the rules a schema cannot express.
Prints "FILE: valid" or "FILE:LINE: reason" for each file (one line per problem).

Exit status: 0 if every file is valid, 1 if any is not, 2 on a usage error.

Options:
  -h, --help   show this help`,
  options: {},
  allowPositionals: true,
  async run(_values, files) {
    if (files.length === 0) throw new UsageError('validate needs at least one FILE');
    const pipeline = new XmlPipeline(SchemaSet.load());
    let failures = 0;
    for (const file of files) {
      try {
        const body = await readFile(file);
        if (ruleFile.matches(pipeline.readTree(body))) await loadRuleFile(file, pipeline);
        else pipeline.read(body);
        process.stdout.write(`${file}: valid\n`);
      } catch (error) {
        failures++;
        if (error instanceof RulesError) {
          process.stdout.write(`${error.message}\n`);
        } else if (isMicromarketError(error)) {
          process.stdout.write(`${file}${error.line ? `:${error.line}` : ''}: ${error.reason}\n`);
        } else {
          process.stdout.write(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}\n`);
        }
      }
    }
    return failures === 0 ? 0 : 1;
  },
};
