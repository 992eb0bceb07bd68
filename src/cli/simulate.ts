import { readFile, stat } from 'node:fs/promises';
import { parseInstant } from '../calendar/instant.js';
import { isMicromarketError } from '../errors.js';
import type { MarketRules } from '../terms/rules.js';
import { defaultSimulationTime, simulate, simulateNested, type SimulationInput } from '../market/simulation.js';
import { loadMarketRules, loadRuleFile, RulesError } from '../rules/load.js';
import { XmlPipeline } from '../xml/pipeline.js';
import { SchemaSet } from '../xml/schema-set.js';
import { UsageError, type Command } from './command.js';

async function readInputs(files: readonly string[], pipeline: XmlPipeline): Promise<SimulationInput[]> {
  const inputs: SimulationInput[] = [];
  for (const file of files) {
    try {
      const payload = pipeline.read(await readFile(file));
      if (payload.name !== 'eiCreateTender') {
        inputs.push({ file, invalid: { code: 'not-a-tender', reason: `${payload.name} is not an eiCreateTender` } });
        continue;
      }
      for (const t of payload.body.tenders) inputs.push({ file, tender: { tenderID: t.tenderID, partyID: payload.body.partyID, product: t.product } });
    } catch (error) {
      if (isMicromarketError(error)) inputs.push({ file, invalid: { code: 'invalid-document', reason: error.message } });
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') inputs.push({ file, invalid: { code: 'no-such-file', reason: 'no such file' } });
      else throw error;
    }
  }
  return inputs;
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run tenders through a market offline and print the outcome',
  usage: `Usage: micromarket simulate --rules FILE|DIR [--at ISO-TIME] --input FILE...

Runs the eiCreateTender documents given as inputs through a fresh market built from one rule
file, with the same engine as the service: every tender is submitted at --at, in input order,
then every gate closes. Prints JSON (documented in docs/simulate.md): per interval the clearing
price and type, every transaction, rejected tenders with reasons, removed tenders, positions.
Given a directory, runs every market in it, nested markets included: each tender goes to the
market its context names, children's aggregates go up their interties and flows come down;
the JSON then holds every market's report and what crossed each intertie.

Options:
  --rules FILE     a market rule file (see market-rules/), or a directory of them
  --at ISO-TIME    when the tenders are submitted (default: one interval before the earliest gate)
  --input FILE     an eiCreateTender document; repeat, or list several files after it
  -h, --help       show this help

Exit status: 0 when the simulation ran (rejections are part of the output), 1 if the rule file is
invalid, 2 on a usage error.`,
  options: {
    rules: { type: 'string' },
    at: { type: 'string' },
    input: { type: 'string', multiple: true },
  },
  allowPositionals: true,
  async run(values, positionals) {
    const rulesFile = values.rules as string | undefined;
    const files = [...((values.input as string[] | undefined) ?? []), ...positionals];
    if (!rulesFile) throw new UsageError('simulate needs --rules FILE');
    if (files.length === 0) throw new UsageError('simulate needs at least one --input FILE');
    let at: number | undefined;
    if (values.at !== undefined) {
      try {
        at = parseInstant(String(values.at));
      } catch {
        throw new UsageError(`--at must be an ISO date-time such as 2026-11-23T16:00:00Z, not ${String(values.at)}`);
      }
    }
    const pipeline = new XmlPipeline(SchemaSet.load());
    const tree = (await stat(rulesFile).catch(() => undefined))?.isDirectory() ?? false;
    let rules;
    try {
      rules = tree ? await loadMarketRules(rulesFile, pipeline) : await loadRuleFile(rulesFile, pipeline);
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    const inputs = await readInputs(files, pipeline);
    const start = at ?? defaultSimulationTime(rules, inputs) ?? 0;
    const report = Array.isArray(rules) ? simulateNested(rules, inputs, start) : simulate(rules as MarketRules, inputs, start);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  },
};
