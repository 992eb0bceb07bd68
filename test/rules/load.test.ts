import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAvailable } from '../../src/calendar/availability-check.js';
import { loadMarketRules, loadRuleFile, RulesError } from '../../src/rules/load.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { rulesDir } from '../support/markets.js';
import { schemaSet } from '../support/schemas.js';

const pipeline = new XmlPipeline(schemaSet());
let dir = '';
let home = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mm-rules-'));
  home = await readFile(join(rulesDir, 'home.xml'), 'utf8');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function problems(name: string, xml: string): Promise<string[]> {
  const file = join(dir, name);
  await writeFile(file, xml);
  try {
    await loadRuleFile(file, pipeline);
  } catch (error) {
    if (error instanceof RulesError) return error.problems.map((p) => `${p.line ?? '-'}: ${p.reason}`);
    throw error;
  }
  return [];
}
const lineOf = (xml: string, needle: string) => xml.slice(0, xml.indexOf(needle)).split('\n').length;

describe('market rule files', () => {
  it('loads the example home market as written', async () => {
    const rules = await loadRuleFile(join(rulesDir, 'home.xml'), pipeline);
    expect(rules).toMatchObject({
      id: 'home', marketContext: 'urn:micromarket:home', currency: 'EUR', enrollment: 'open',
      resource: { name: 'electricity', units: 'W', siScaleCode: 'k' },
      clearing: { kind: 'call', bids: 'curve', priceSteps: 101 },
      prices: { floor: 0, cap: 1, tick: 0.01 }, quantities: { tick: 0.001, minimum: 0.001, maximum: 50 }, hours: [],
    });
    expect(rules.granularity).toMatchObject({ minutes: 15 });
    expect(rules.simpleLevels).toEqual({ moderate: 0.25, high: 0.35, special: 0.5 });
  });

  it('derives SIMPLE levels at 50, 75 and 90 % of the price range, on ticks, when the rules name none', async () => {
    // feeder: floor -0.500, cap 2.000, tick 0.001
    expect((await loadRuleFile(join(rulesDir, 'feeder.xml'), pipeline)).simpleLevels).toEqual({ moderate: 0.75, high: 1.375, special: 1.75 });
  });

  it('refuses SIMPLE levels that do not rise, on the line of the element', async () => {
    const bad = home.replace('<rules:high>0.35</rules:high>', '<rules:high>0.20</rules:high>');
    expect(await problems('levels.xml', bad)).toEqual([`${lineOf(bad, '<rules:simpleLevels>')}: simpleLevels must rise: moderate < high < special`]);
  });

  it('reads device signals, each left out taking its default, and refuses a reference price of zero', async () => {
    expect((await loadRuleFile(join(rulesDir, 'home.xml'), pipeline)).deviceSignals)
      .toEqual({ levels: ['end-shed', 'shed', 'critical-peak', 'grid-emergency'], loadUpAtOrBelow: 0.05, referencePrice: 0.2 });
    const written = home.replace(/<rules:deviceSignals>.*<\/rules:deviceSignals>/, '<rules:deviceSignals><rules:special>critical-peak</rules:special></rules:deviceSignals>');
    await writeFile(join(dir, 'signals.xml'), written);
    expect((await loadRuleFile(join(dir, 'signals.xml'), pipeline)).deviceSignals).toEqual({ levels: ['end-shed', 'shed', 'critical-peak', 'critical-peak'], loadUpAtOrBelow: 0 });
    const none = home.replace(/<rules:deviceSignals>.*<\/rules:deviceSignals>/, '');
    await writeFile(join(dir, 'none.xml'), none);
    expect((await loadRuleFile(join(dir, 'none.xml'), pipeline)).deviceSignals).toEqual({ levels: ['end-shed', 'shed', 'critical-peak', 'grid-emergency'], loadUpAtOrBelow: 0 });
    const zero = home.replace('<rules:referencePrice>0.20</rules:referencePrice>', '<rules:referencePrice>0</rules:referencePrice>');
    expect(await problems('zero.xml', zero)).toEqual([`${lineOf(zero, '<rules:deviceSignals>')}: deviceSignals referencePrice must be above zero: relative prices are divided by it`]);
    const unknown = home.replace('<rules:loadUpAtOrBelow>', '<rules:normal>boost</rules:normal><rules:loadUpAtOrBelow>');
    expect(await problems('unknown.xml', unknown)).toEqual([expect.stringMatching(new RegExp(`^${lineOf(unknown, 'boost')}: not valid: Element 'rules:normal'`))]);
  });

  it('reports schema errors with their line', async () => {
    const bad = home.replace('<rules:bids>curve</rules:bids>', '<rules:bids>weekly</rules:bids>');
    expect(await problems('schema.xml', bad)).toEqual([expect.stringMatching(new RegExp(`^${lineOf(bad, 'weekly')}: not valid: Element 'rules:bids'`))]);
  });

  it('reports every rule a schema cannot express, each on the line of its element', async () => {
    const bad = home
      .replace('<rules:floor>0.00</rules:floor><rules:cap>1.00</rules:cap>', '<rules:floor>1.00</rules:floor><rules:cap>1.00</rules:cap>')
      .replace('<rules:priceSteps>101</rules:priceSteps>', '')
      .replace('<xcal:duration>PT15M</xcal:duration></xcal:granularity>', '<xcal:duration>PT7M</xcal:duration></xcal:granularity>');
    expect(await problems('checks.xml', bad)).toEqual([
      `${lineOf(bad, 'granularity')}: granularity must divide a day, or be a whole number of days, so intervals align to UTC days`,
      `${lineOf(bad, '<rules:cap>')}: cap must be above the floor (1)`,
      // priceSteps is the missing element, so there is no line to point at.
      '-: priceSteps a curve-bid call market needs priceSteps (the PowerMatcher market basis)',
    ]);
  });

  it('reports a missing or broken .ics file on the line that names it', async () => {
    const withIcs = home.replace('<rules:enrollment>', '<rules:hours><rules:ics>nowhere.ics</rules:ics></rules:hours>\n  <rules:enrollment>');
    expect(await problems('ics.xml', withIcs)).toEqual([`${lineOf(withIcs, 'nowhere.ics')}: nowhere.ics: no such file`]);
    await writeFile(join(dir, 'broken.ics'), 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    expect(await problems('ics2.xml', withIcs.replace('nowhere.ics', 'broken.ics'))).toEqual([expect.stringContaining('broken.ics: no VAVAILABILITY')]);
  });

  it('loads the inline hours example of docs/market-rules.md and keeps 06:00 Amsterdam time', async () => {
    const doc = await readFile(new URL('../../docs/market-rules.md', import.meta.url), 'utf8');
    const hours = doc.slice(doc.indexOf('<rules:hours>\n'), doc.indexOf('</rules:hours>') + '</rules:hours>'.length);
    const file = join(dir, 'inline.xml');
    await writeFile(file, home.replace('<rules:enrollment>', `${hours}\n  <rules:enrollment>`));
    const rules = await loadRuleFile(file, pipeline);
    expect(isAvailable(rules.hours, Date.UTC(2027, 3, 5, 4), Date.UTC(2027, 3, 5, 4, 15))).toBe(true);
    expect(isAvailable(rules.hours, Date.UTC(2027, 3, 5, 3, 45), Date.UTC(2027, 3, 5, 4))).toBe(false);
  });

  it('refuses an unknown time zone in inline hours on its line, as in an .ics file', async () => {
    const doc = await readFile(new URL('../../docs/market-rules.md', import.meta.url), 'utf8');
    const hours = doc.slice(doc.indexOf('<rules:hours>\n'), doc.indexOf('</rules:hours>') + '</rules:hours>'.length);
    expect(hours).toContain('Europe/Amsterdam');
    const xml = home.replace('<rules:enrollment>', `${hours.replace('Europe/Amsterdam', 'Europe/Atlantis')}\n  <rules:enrollment>`);
    expect(await problems('atlantis.xml', xml)).toEqual([expect.stringMatching(new RegExp(`^${lineOf(xml, 'Europe/Atlantis')}: .*tzid.*: unknown time zone Europe/Atlantis$`))]);
  });

  it('refuses two markets with the same id or market context', async () => {
    const two = await mkdtemp(join(tmpdir(), 'mm-rules-two-'));
    await copyFile(join(rulesDir, 'home.xml'), join(two, 'a.xml'));
    await writeFile(join(two, 'b.xml'), home.replace('<rules:id>home</rules:id>', '<rules:id>home-2</rules:id>'));
    await expect(loadMarketRules(two, pipeline)).rejects.toThrow(/b\.xml: marketContext urn:micromarket:home is already defined in .*a\.xml/);
    await rm(two, { recursive: true, force: true });
  });

  it('checks interties across the rule files, each problem on the line of the child\'s intertie', async () => {
    const tree = await mkdtemp(join(tmpdir(), 'mm-rules-tree-'));
    const nested = join(rulesDir, 'nested');
    const read = (f: string) => readFile(join(nested, f), 'utf8');
    // The feeder's gate now closes after its homes' (1 minute), the homes' parent is a step market, and a third home names no market.
    await writeFile(join(tree, 'feeder-north.xml'), (await read('feeder-north.xml')).replace('PT3M', 'PT30S'));
    await copyFile(join(nested, 'substation.xml'), join(tree, 'substation.xml'));
    const home = await read('home-1.xml');
    await writeFile(join(tree, 'home-1.xml'), home);
    await writeFile(join(tree, 'home-3.xml'), home.replaceAll('home-1', 'home-3').replace('<rules:parent>feeder-north</rules:parent>', '<rules:parent>feeder-south</rules:parent>'));
    const error = await loadMarketRules(tree, pipeline).catch((e: unknown) => e) as RulesError;
    expect(error).toBeInstanceOf(RulesError);
    const line = lineOf(home, '<rules:intertie>');
    expect(error.problems.map((p) => [p.file.split('/').pop(), p.line, p.reason])).toEqual([
      ['home-1.xml', line, 'intertie the gate of feeder-north must close before this market\'s (a longer gateClosure)'],
      ['home-3.xml', line, 'intertie no market feeder-south in the rules'],
    ]);
    // A step auction cannot have an intertie.
    expect(await problems('intertie-step.xml', home.replace('<rules:bids>curve</rules:bids>', '<rules:bids>step</rules:bids>'))).toContain(
      `${lineOf(home, '<rules:intertie>')}: intertie a step-bid call market cannot have an intertie: a curve call market trades its aggregate curve upward, a continuous market its unmatched book`);
    await rm(tree, { recursive: true, force: true });
  });
});
