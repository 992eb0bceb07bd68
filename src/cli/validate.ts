import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMicromarketError } from '../errors.js';
import { loadMarketRules, loadRuleFile, RulesError, type RulesProblem } from '../rules/load.js';
import { ruleFile } from '../xml/market-rules.js';
import { XmlPipeline } from '../xml/pipeline.js';
import { SchemaSet } from '../xml/schema-set.js';
import { UsageError, type Command } from './command.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check XML files and rule directories against the bundled schemas',
  usage: `Usage: micromarket validate FILE|DIR...

Checks each file as the service would check a request: size and nesting limits, no DOCTYPE or
entities, well-formed, valid against the bundled schemas (xsd/), and readable as an EI payload.
A market rule file (root rules:market) gets the checks the service makes at start-up as well:
its .ics hours, the rules a schema cannot express, and its place among the rule files of its
directory (unique id, an intertie's parent present and suited to it). A directory is checked as
'serve --rules DIR' loads it.
Prints "FILE: valid" or "FILE:LINE: reason" for each file or directory (one line per problem).

Exit status: 0 if everything is valid, 1 if anything is not, 2 on a usage error.

Options:
  -h, --help   show this help`,
  options: {},
  allowPositionals: true,
  async run(_values, paths) {
    if (paths.length === 0) throw new UsageError('validate needs at least one FILE or DIR');
    const pipeline = new XmlPipeline(SchemaSet.load());
    let failures = 0;
    for (const path of paths) {
      const problems = await check(path, pipeline);
      if (problems.length === 0) process.stdout.write(`${path}: valid\n`);
      else failures++;
      for (const p of problems) process.stdout.write(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}\n`);
    }
    return failures === 0 ? 0 : 1;
  },
};

/** What is wrong with a file or directory, as the service would find it. */
async function check(path: string, pipeline: XmlPipeline): Promise<RulesProblem[]> {
  try {
    if ((await stat(path)).isDirectory()) {
      await loadMarketRules(path, pipeline);
      return [];
    }
    const body = await readFile(path);
    if (!ruleFile.matches(pipeline.readTree(body))) {
      pipeline.read(body);
      return [];
    }
    await loadRuleFile(path, pipeline);
    return await amongSiblings(path, pipeline);
  } catch (error) {
    if (error instanceof RulesError) return [...error.problems];
    if (isMicromarketError(error)) return [{ file: path, ...(error.line ? { line: error.line } : {}), reason: error.reason }];
    const code = (error as NodeJS.ErrnoException).code;
    return [{ file: path, reason: code === 'ENOENT' ? 'no such file' : (error as Error).message }];
  }
}

/** The problems of a rule file that only its directory shows (ids, interties), named as the user named the file. */
async function amongSiblings(file: string, pipeline: XmlPipeline): Promise<RulesProblem[]> {
  try {
    await loadMarketRules(dirname(file), pipeline);
    return [];
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    return error.problems.filter((p) => resolve(p.file) === resolve(file)).map((p) => ({ ...p, file }));
  }
}
