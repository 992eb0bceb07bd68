/**
 * What a device should be doing at an instant, from the events a market sent its bridge: pure, so
 * the mapping can be read and tested on its own (docs/adapters/cta2045.md).
 *
 * - An event's command comes from its SIMPLE level through the market's deviceSignals; a level-0
 *   interval priced at or below `loadUpAtOrBelow` is surplus: load up.
 * - The command lasts to the end of the run of back-to-back events that give the same command, so
 *   a device is not released between two intervals of one shed.
 * - With no event in progress the device runs normally (End Shed), as Intwine's UCM does at an
 *   event's end.
 * - Several markets' events at once: the most severe command wins.
 */
import type { DeviceCommand, DeviceSignals, VenEvent } from '../../src/client/index.js';

const severity: Readonly<Record<DeviceCommand, number>> = { 'end-shed': 0, 'load-up': 1, 'shed': 2, 'critical-peak': 3, 'grid-emergency': 4 };

export function commandOf(event: VenEvent, signals: DeviceSignals): DeviceCommand {
  const mapped = signals.levels[event.level ?? 0] ?? 'end-shed';
  if (mapped === 'end-shed' && event.price !== undefined && event.price <= signals.loadUpAtOrBelow) return 'load-up';
  return mapped;
}

export interface Instruction {
  readonly command: DeviceCommand;
  /** The event in progress that set the command, and when its run of same-command events ends. */
  readonly event?: VenEvent;
  readonly untilMs?: number;
  /** The event in progress's price, and the next interval's in the same market if already known. */
  readonly price?: number;
  readonly nextPrice?: number;
  /** When the present price period ends. */
  readonly periodEndMs?: number;
}

const end = (e: VenEvent) => e.dtstart + e.durationMs;
const live = (e: VenEvent) => e.status !== 'cancelled';

/** The instruction at `now`; `signalsOf` gives each market's deviceSignals by market context. */
export function instructionAt(events: readonly VenEvent[], signalsOf: (marketContext: string) => DeviceSignals, now: number): Instruction {
  const candidates = events.filter((e) => live(e) && e.dtstart <= now && now < end(e));
  if (candidates.length === 0) return { command: 'end-shed' };
  const command = (e: VenEvent) => commandOf(e, signalsOf(e.marketContext));
  const event = candidates.reduce((a, b) => (severity[command(b)] > severity[command(a)] || (command(b) === command(a) && b.dtstart < a.dtstart) ? b : a));
  const chosen = command(event);
  let untilMs = end(event);
  for (;;) {
    const next = events.find((e) => live(e) && e.marketContext === event.marketContext && e.dtstart === untilMs && command(e) === chosen);
    if (!next) break;
    untilMs = end(next);
  }
  const following = events.find((e) => live(e) && e.marketContext === event.marketContext && e.dtstart === end(event));
  return {
    command: chosen, event, untilMs, periodEndMs: end(event),
    ...(event.price !== undefined ? { price: event.price } : {}),
    ...(following?.price !== undefined ? { nextPrice: following.price } : {}),
  };
}

const DAY = 86_400_000;

/**
 * The price relative prices are taken against: the market's referencePrice, or else the mean of
 * the prices of its intervals that started in the day before `now`; with none (or no positive
 * mean), the present price itself, so the ratio is 1.
 */
export function referencePrice(signals: DeviceSignals, seen: ReadonlyArray<{ readonly dtstart: number; readonly price: number }>, now: number, present: number): number {
  if (signals.referencePrice !== undefined) return signals.referencePrice;
  const recent = seen.filter((p) => p.dtstart <= now && p.dtstart > now - DAY);
  const mean = recent.reduce((sum, p) => sum + p.price, 0) / recent.length;
  return recent.length > 0 && mean > 0 ? mean : present > 0 ? present : 1;
}
