import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Availability } from '../calendar/availability.js';
import { availabilityFromIcs, IcsError } from '../calendar/ics.js';
import { parseDuration } from '../calendar/duration.js';
import { isMicromarketError } from '../errors.js';
import { checkRules, type IntertieParent } from '../terms/rules.js';
import { checkSignals, defaultDeviceSignals, defaultSimpleLevels, type DeviceSignals, type MarketSetup } from '../terms/signals.js';
import { checkTree } from '../market/tree.js';
import { lineOfElement } from '../xml/lines.js';
import { ruleFile, type RuleFile } from '../xml/market-rules.js';
import { decodeRoot, type XmlPipeline } from '../xml/pipeline.js';

export interface RulesProblem {
  readonly file: string;
  readonly line?: number;
  readonly reason: string;
}

/** Why rule files could not be loaded: every problem found, each as FILE:LINE: reason. */
export class RulesError extends Error {
  constructor(readonly problems: readonly RulesProblem[]) {
    super(problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`).join('\n'));
  }
}

async function readHours(file: string, xml: string, hours: RuleFile['hours']): Promise<Availability[]> {
  const out: Availability[] = [];
  for (const entry of hours ?? []) {
    if (entry.kind === 'vavailability') {
      out.push(entry.value);
      continue;
    }
    const path = resolve(dirname(file), entry.value);
    try {
      out.push(...availabilityFromIcs(await readFile(path, 'utf8')));
    } catch (error) {
      const reason = error instanceof IcsError ? error.message : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new RulesError([{ file, line: lineOfElement(xml, 'ics'), reason: `${entry.value}: ${reason}` }]);
    }
  }
  return out;
}

function toSetup(raw: RuleFile, hours: Availability[]): MarketSetup {
  const clearing = raw.clearing.kind === 'continuous'
    ? { kind: 'continuous' as const, gateClosure: raw.clearing.value.gateClosure ?? parseDuration('PT0S'), selfTrade: raw.clearing.value.selfTrade ?? 'cancel-resting' as const }
    : { kind: 'call' as const, ...raw.clearing.value };
  const { hours: _written, clearing: _clearing, simpleLevels, deviceSignals, intertie, ...rest } = raw;
  return { ...rest, clearing, hours, simpleLevels: simpleLevels ?? defaultSimpleLevels(raw.prices), deviceSignals: deviceSignalsOf(deviceSignals),
    ...(intertie ? { intertie: { ...intertie, parent: parentOf(intertie.parent) } } : {}) };
}

function deviceSignalsOf(written: RuleFile['deviceSignals']): DeviceSignals {
  const d = defaultDeviceSignals;
  if (!written) return d;
  return {
    levels: [written.normal ?? d.levels[0], written.moderate ?? d.levels[1], written.high ?? d.levels[2], written.special ?? d.levels[3]],
    loadUpAtOrBelow: written.loadUpAtOrBelow ?? d.loadUpAtOrBelow,
    ...(written.referencePrice !== undefined ? { referencePrice: written.referencePrice } : {}),
  };
}

function parentOf(parent: NonNullable<RuleFile['intertie']>['parent']): IntertieParent {
  switch (parent.kind) {
    case 'parent': return { kind: 'local', marketID: parent.value };
    case 'remoteParent': return { kind: 'remote', ...parent.value };
    case 'powermatcherParent': return { kind: 'powermatcher', url: parent.value.url, agentId: parent.value.agentId,
      lead: parent.value.lead ?? parseDuration('PT10S'), minTimeBetweenBidUpdates: parent.value.minTimeBetweenBidUpdates ?? parseDuration('PT1S') };
  }
}

/** Reads, validates (schema, .ics hours, semantic checks) and returns one rule file: the market's rules and signal mappings. */
export async function loadRuleFile(file: string, pipeline: XmlPipeline): Promise<MarketSetup> {
  const body = await readFile(file);
  const xml = body.toString('utf8');
  let raw: RuleFile;
  try {
    const root = pipeline.readTree(body);
    if (!ruleFile.matches(root)) throw new RulesError([{ file, line: 1, reason: 'not a market rule file: the root must be rules:market' }]);
    raw = decodeRoot(ruleFile, root, body);
  } catch (error) {
    if (isMicromarketError(error)) throw new RulesError([{ file, ...(error.line ? { line: error.line } : {}), reason: error.reason }]);
    throw error;
  }
  const rules = toSetup(raw, await readHours(file, xml, raw.hours));
  const problems = [...checkRules(rules), ...checkSignals(rules)];
  if (problems.length > 0) {
    throw new RulesError(problems.map((p) => ({ file, line: lineOfElement(xml, p.element), reason: `${p.element} ${p.reason}` })));
  }
  return rules;
}

/**
 * Loads every *.xml rule file of a directory; ids and market contexts must be unique, interties
 * must form a tree. A directory that is missing, or holds no rule file, is refused: a service with
 * no market is a mistake, not a configuration.
 */
export async function loadMarketRules(dir: string, pipeline: XmlPipeline): Promise<MarketSetup[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RulesError([{ file: dir, reason: code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (error as Error).message }]);
  }
  const files = names.filter((f) => f.endsWith('.xml')).sort().map((f) => join(dir, f));
  if (files.length === 0) throw new RulesError([{ file: dir, reason: 'no market rule files (*.xml) in this directory' }]);
  const problems: RulesProblem[] = [];
  const markets: MarketSetup[] = [];
  const loadedFrom: string[] = []; // the file of each market (a file that failed has none)
  for (const file of files) {
    try {
      markets.push(await loadRuleFile(file, pipeline));
      loadedFrom.push(file);
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      problems.push(...error.problems);
    }
  }
  const seen = new Map<string, string>();
  for (const [i, m] of markets.entries()) {
    for (const key of [`id ${m.id}`, `marketContext ${m.marketContext}`]) {
      const other = seen.get(key);
      if (other) problems.push({ file: loadedFrom[i]!, reason: `${key} is already defined in ${other}` });
      seen.set(key, loadedFrom[i]!);
    }
  }
  for (const p of checkTree(markets)) {
    const file = loadedFrom[markets.findIndex((m) => m.id === p.marketID)]!;
    problems.push({ file, line: lineOfElement(await readFile(file, 'utf8'), 'intertie'), reason: `intertie ${p.reason}` });
  }
  if (problems.length > 0) throw new RulesError(problems);
  return markets;
}
