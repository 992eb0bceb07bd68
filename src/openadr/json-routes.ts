/**
 * What the VTN knows, as JSON. Telemetry is for the VEN itself and the operator only; dispatch is the operator's:
 *
 *   GET /telemetry/{venID}?rID=&from=&to=&limit=&after=  a page of the points, by rID and oldest first within each
 *                                                      (from/to: ISO 8601, to exclusive; `next` is the next page's `after`)
 *   GET /telemetry/{venID}/delivered?marketContext=     per market interval: transacted position beside delivery
 *   GET /dispatch?marketContext=&interval=              an interval's events and how the VENs answered them
 *
 * Delivery is the mean of the VEN's power readings (items in W) that start inside the interval, in
 * the market's units; intervals with a position but no reading show delivered null. Dispatch counts
 * a position as committed unless its VEN opted out of the event (an unanswered event counts as in),
 * and lists the resources a VEN opted out of the event on their own (oadrCreateOpt naming it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireSelf } from '../auth/tokens.js';
import { parseInstant, type Instant } from '../calendar/instant.js';
import { MicromarketError } from '../errors.js';
import type { ServiceContext } from '../host/context.js';
import { deliveredByInterval } from './delivery.js';
import { eventStatus, type EventRecord } from './event-model.js';
import type { Key } from '../store/collection.js';
import { telemetryKey } from './reports.js';
import { oadrCollections } from './records.js';

function instantParam(name: string, value: string | undefined): Instant | undefined {
  if (value === undefined) return undefined;
  try {
    return parseInstant(value);
  } catch {
    throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [`${name} must be a UTC date-time such as 2026-11-23T12:00:00Z`]);
  }
}

/** A page's size: 1,000 points unless asked for fewer or more, at most 10,000. */
function pageLimit(value: string | undefined): number {
  if (value === undefined) return 1000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', ['limit must be a whole number from 1 to 10000']);
  return n;
}

/** A cursor a page gave as `next` (the last key it read). */
function cursor(value: string | undefined): Key | undefined {
  if (value !== undefined && value.length > 1024) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', ['after must be the `next` a page gave']);
  return value as Key | undefined;
}

export function jsonRoutes(app: FastifyInstance, context: ServiceContext): void {
  /** A page of a VEN's points in key order (by rID, then start): read costs the page, not the VEN's history. */
  const points = async (venID: string, rID: string | undefined, from: number, limit: number, after: Key | undefined) => {
    // With an rID and a start, the page begins at the first point at or after it.
    const start = after ?? (rID !== undefined && Number.isFinite(from) ? telemetryKey(venID, rID, from - 1) : undefined);
    const page = await oadrCollections.telemetry.list(context.store, rID !== undefined ? [venID, rID] : [venID], start, limit);
    return { page: page.map(([, point]) => point), next: page.length === limit ? page.at(-1)![0] : undefined };
  };
  const caller = async (request: FastifyRequest, venID: string) => {
    const principal = await request.authenticate('report');
    requireSelf(principal, venID);
  };

  app.get<{ Params: { venID: string }; Querystring: { rID?: string; from?: string; to?: string; limit?: string; after?: string } }>('/telemetry/:venID', async (request) => {
    const { venID } = request.params;
    await caller(request, venID);
    const from = instantParam('from', request.query.from) ?? -Infinity;
    const to = instantParam('to', request.query.to) ?? Infinity;
    const { page, next } = await points(venID, request.query.rID, from, pageLimit(request.query.limit), cursor(request.query.after));
    return { venID, points: page.filter((p) => p.dtstart >= from && p.dtstart < to), ...(next !== undefined ? { next } : {}) };
  });

  const marketNamed = (marketContext: string | undefined) => {
    const market = context.host.byContext(marketContext ?? '');
    if (!market) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [`marketContext must name a market (${context.host.marketContexts.join(', ')})`]);
    return market;
  };

  app.get<{ Querystring: { marketContext?: string; interval?: string } }>('/dispatch', async (request) => {
    await request.authenticate('operator');
    const market = marketNamed(request.query.marketContext);
    const interval = instantParam('interval', request.query.interval ?? '');
    const events = (await oadrCollections.events.values(context.store))
      .filter((e) => e.marketID === market.rules.id && e.dtstart === interval)
      .sort((a, b) => a.venID.localeCompare(b.venID));
    const now = context.clock();
    const resourcesOut = new Map<string, string[]>();
    for (const venID of new Set(events.map((e) => e.venID))) {
      for (const opt of await oadrCollections.opts.values(context.store, [venID])) {
        if (opt.optType !== 'optOut' || opt.eventID === undefined) continue;
        const key = `${venID}/${opt.eventID}`;
        resourcesOut.set(key, [...(resourcesOut.get(key) ?? []), ...opt.resourceIDs].sort());
      }
    }
    const sum = (list: readonly EventRecord[]) => list.reduce((total, e) => total + e.dispatch, 0);
    const live = events.filter((e) => !e.cancelled);
    const out = live.filter((e) => e.response?.optType === 'optOut' && e.response.modificationNumber === e.modificationNumber);
    return {
      marketContext: market.rules.marketContext, interval: new Date(interval!).toISOString(),
      price: events[0]?.price ?? null, level: events[0]?.level ?? null,
      committed: sum(live.filter((e) => !out.includes(e))), optedOut: sum(out),
      events: events.map((e) => ({ venID: e.venID, eventID: e.eventID, modificationNumber: e.modificationNumber, status: eventStatus(e, now),
        dispatch: e.dispatch, optType: e.response?.modificationNumber === e.modificationNumber ? e.response.optType : null,
        resourcesOptedOut: resourcesOut.get(`${e.venID}/${e.eventID}`) ?? [] })),
    };
  });

  app.get<{ Params: { venID: string }; Querystring: { marketContext?: string } }>('/telemetry/:venID/delivered', async (request) => {
    const { venID } = request.params;
    await caller(request, venID);
    const market = (await context.host.current([marketNamed(request.query.marketContext)]))[0]!;
    const readings = deliveredByInterval(await oadrCollections.telemetry.values(context.store, [venID]), market.rules);
    const intervals = [...new Set([...market.positions.intervals().filter((i) => market.positions.of(i).has(venID)), ...readings.keys()])].sort((a, b) => a - b);
    return {
      venID, marketContext: market.rules.marketContext, units: `${market.rules.resource.siScaleCode === 'none' ? '' : market.rules.resource.siScaleCode}${market.rules.resource.units}`,
      intervals: intervals.map((interval) => {
        const position = market.positions.of(interval).get(venID);
        return {
          interval: new Date(interval).toISOString(),
          transacted: position ? position.bought - position.sold : 0,
          delivered: readings.get(interval) ?? null,
        };
      }),
    };
  });
}
