import { describe, expect, it } from 'vitest';
import { commandOf, instructionAt, referencePrice } from '../../adapters/cta2045/plan.js';
import { defaultDeviceSignals, type DeviceSignals, type VenEvent } from '../../src/client/index.js';

/** The mapping from market events to device commands, on its own (docs/adapters/cta2045.md). */
const FEEDER = 'urn:micromarket:feeder-7';
const HOME = 'urn:micromarket:home';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
const event = (id: string, start: number, level: number, price: number, marketContext = FEEDER, durationMs = 300_000): VenEvent =>
  ({ eventID: id, modificationNumber: 0, marketContext, status: 'far', dtstart: start, durationMs, price, level, dispatch: 0 });
const signals = (overrides: Partial<DeviceSignals> = {}): DeviceSignals => ({ ...defaultDeviceSignals, ...overrides });
const same = () => signals();

describe('an event as a command', () => {
  it('maps SIMPLE 0..3 to End Shed, Shed, Critical Peak and Grid Emergency by default', () => {
    expect([0, 1, 2, 3].map((level) => commandOf(event('e', 0, level, 0.5), signals()))).toEqual(['end-shed', 'shed', 'critical-peak', 'grid-emergency']);
  });

  it('takes the market\'s own mapping, and loads up at or below the surplus price only where level 0 means run normally', () => {
    const rules = signals({ levels: ['end-shed', 'shed', 'shed', 'critical-peak'], loadUpAtOrBelow: 0.05 });
    expect([0, 1, 2, 3].map((level) => commandOf(event('e', 0, level, 0.5), rules))).toEqual(['end-shed', 'shed', 'shed', 'critical-peak']);
    expect(commandOf(event('e', 0, 0, 0.05), rules)).toBe('load-up');
    expect(commandOf(event('e', 0, 0, 0.051), rules)).toBe('end-shed');
    expect(commandOf(event('e', 0, 1, 0.01), rules)).toBe('shed'); // a level above 0 is never surplus
  });
});

describe('the instruction of the moment', () => {
  const events = [event('a', at(12, 30), 1, 0.95), event('b', at(12, 35), 1, 0.9), event('c', at(12, 40), 2, 1.5), event('d', at(12, 50), 1, 0.8)];

  it('runs normally with no event in progress, before, between and after', () => {
    expect(instructionAt(events, same, at(12, 29))).toEqual({ command: 'end-shed' });
    expect(instructionAt(events, same, at(12, 45))).toEqual({ command: 'end-shed' });
    expect(instructionAt(events, same, at(12, 55))).toEqual({ command: 'end-shed' });
  });

  it('lasts to the end of back-to-back events with the same command, with the present and next prices', () => {
    expect(instructionAt(events, same, at(12, 31))).toMatchObject({ command: 'shed', event: { eventID: 'a' }, untilMs: at(12, 40), price: 0.95, nextPrice: 0.9, periodEndMs: at(12, 35) });
    expect(instructionAt(events, same, at(12, 36))).toMatchObject({ command: 'shed', event: { eventID: 'b' }, untilMs: at(12, 40), price: 0.9, nextPrice: 1.5 });
    expect(instructionAt(events, same, at(12, 40))).toMatchObject({ command: 'critical-peak', untilMs: at(12, 45) });
    expect(instructionAt(events, same, at(12, 40)).nextPrice).toBeUndefined();
  });

  it('skips cancelled events, and takes the most severe of two markets\' events at once', () => {
    const cancelled = events.map((e) => (e.eventID === 'a' ? { ...e, status: 'cancelled' } : e));
    expect(instructionAt(cancelled, same, at(12, 31))).toEqual({ command: 'end-shed' });
    const both = [...events, event('h', at(12, 30), 3, 0.6, HOME, 900_000)];
    expect(instructionAt(both, same, at(12, 31))).toMatchObject({ command: 'grid-emergency', event: { eventID: 'h' }, untilMs: at(12, 45) });
    // Per market: the home market maps its level 3 to a shed; of two sheds that start together, the first one stands.
    const perMarket = (ctx: string) => (ctx === HOME ? signals({ levels: ['end-shed', 'shed', 'shed', 'shed'] }) : signals());
    expect(instructionAt(both, perMarket, at(12, 31))).toMatchObject({ command: 'shed', event: { eventID: 'a' } });
  });
});

describe('the reference price of relative prices', () => {
  it('is the market\'s when it names one, else the mean of the last day\'s prices, else the present price', () => {
    const seen = [{ dtstart: at(12, 0) - 86_400_000, price: 9 }, { dtstart: at(11, 0), price: 0.2 }, { dtstart: at(12, 0), price: 0.4 }, { dtstart: at(13, 0), price: 7 }];
    expect(referencePrice(signals({ referencePrice: 0.5 }), seen, at(12, 0), 0.3)).toBe(0.5);
    expect(referencePrice(signals(), seen, at(12, 0), 0.3)).toBeCloseTo(0.3, 12); // (0.2 + 0.4) / 2: a day ago and the future are out
    expect(referencePrice(signals(), [], at(12, 0), 0.3)).toBe(0.3);
    expect(referencePrice(signals(), [{ dtstart: at(12, 0), price: -0.1 }], at(12, 0), -0.1)).toBe(1);
  });
});
