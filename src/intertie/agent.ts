/**
 * Runs a service's interties in time, as a PowerMatcher concentrator does: each child market's
 * aggregate goes up as its bid in the parent while the parent's gate is open (`up`, every tick),
 * and once the parent has cleared, the flow it bought comes down as a fixed bid in the child
 * before the child's own gate closes (`down`, before each market's gate closure, parents first).
 *
 *   child ──EiTender (ladder)──▶ parent    replaced whenever the child's aggregate changes
 *   child ──EiQuote, EiTransaction─▶ parent after the parent's gate: its price and the child's trades
 *   child: flow placed (command log)        committed with the interval's intertie record, once
 *
 * A parent that cannot be reached leaves the child islanded: it keeps clearing on its own curve,
 * and the intertie's status says so until a call succeeds again. Everything it does is keyed so
 * that a restart on either side repeats nothing: requestIDs are fixed by the ladder's revision and
 * content, the child's open tenders in the parent are read back before they are replaced, and a
 * flow is placed in the same commit that records it.
 */
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { durationToMillis } from '../calendar/duration.js';
import { curveProducts } from '../client/curves.js';
import { isMicromarketClientError } from '../client/errors.js';
import type { EngineCommand, MarketHost } from '../host/markets.js';
import { CallMarket } from '../market/call-market.js';
import { childFlow, priceBounds, upwardCurve } from '../market/intertie.js';
import type { Market } from '../market/market.js';
import { flowTenders, intertieAccount, termsOf, type ChildMarket } from '../market/nested.js';
import { firstOpenInterval, gateClosureMs } from '../terms/rules.js';
import { rootsFirst } from '../market/tree.js';
import { gridOf } from '../terms/ladder.js';
import type { Key } from '../store/collection.js';
import type { Store, WriteOp } from '../store/store.js';
import type { ParentLink } from './parent-link.js';
import { PowerMatcherParent } from './powermatcher-parent.js';
import { intervalOfKey, intertieCollections, type IntertieRecord } from './records.js';
import type { IntertieStatus, IntertieReading, IntertieState } from '../host/views.js';

/** One child market and the link to its parent. */
export interface Intertie {
  readonly child: ChildMarket;
  /** A micromarket parent (EI through the SDK) or a PowerMatcher cluster (its websocket protocol). */
  readonly link: ParentLink | PowerMatcherParent;
  /** Shown in status: the parent market's id, or the remote service and market. */
  readonly parent: string;
}

/** Intertie records are kept this long after their interval, for the operator to look back. */
const KEEP_MS = 86_400_000;
/** How long after an islanded interval the parent is asked whether it cleared it anyway (it lists an hour of clearings). */
const DEVIATION_WINDOW_MS = 3_600_000;

export class IntertieAgent {
  readonly #interties: Intertie[];
  readonly #status = new Map<string, IntertieStatus>();
  readonly #joined = new Set<string>();
  /** The last refusal logged per child market. */
  readonly #refused = new Map<string, string>();
  /** Per child market, since start: the last flow placed and the intervals that cleared islanded (for /metrics). */
  readonly #seen = new Map<string, Omit<IntertieReading, keyof IntertieStatus>>();

  constructor(interties: readonly Intertie[], private readonly host: MarketHost, private readonly store: Store, private readonly log: FastifyBaseLogger) {
    this.#interties = rootsFirst(interties.map((i) => ({ ...i, rules: i.child.rules })));
  }

  /** Closes the connections to PowerMatcher clusters. */
  close(): void {
    for (const { link } of this.#interties) if (link instanceof PowerMatcherParent) link.close();
  }

  /** Each intertie's state, for /healthz and GET /interties. */
  status(): IntertieStatus[] {
    return this.#interties.map((i) => this.#status.get(i.child.rules.id) ?? { market: i.child.rules.id, parent: i.parent, state: 'joining', since: 0 });
  }

  /** Each intertie's state with what it last carried, for /metrics. */
  readings(): IntertieReading[] {
    return this.status().map((s) => ({ ...s, islandedIntervals: 0, ...this.#seen.get(s.market) }));
  }

  #saw(market: string, change: (seen: Omit<IntertieReading, keyof IntertieStatus>) => void): void {
    let seen = this.#seen.get(market);
    if (!seen) this.#seen.set(market, (seen = { islandedIntervals: 0 }));
    change(seen);
  }

  /** Sends every child's changed aggregate to its parent, deepest children first. */
  async up(now: number): Promise<void> {
    for (const intertie of [...this.#interties].reverse()) await this.#guard(intertie, now, () => this.#up(intertie, now));
  }

  /** Places the parent's outcome in `market` if it is a child, for every interval whose gate is still open. */
  async down(market: Market, now: number): Promise<void> {
    const intertie = this.#interties.find((i) => i.child.rules.id === market.rules.id);
    if (intertie) await this.#guard(intertie, now, () => this.#down(intertie, now));
  }

  /** Runs one step against the parent; a failure to reach it islands the child, any success links it again. */
  async #guard(intertie: Intertie, now: number, step: () => Promise<void>): Promise<void> {
    const { link, child } = intertie;
    const answered = link.answered;
    try {
      if (link instanceof PowerMatcherParent) {
        await link.connect();
        const basis = link.basis!;
        if (basis.commodity !== child.rules.resource.name || basis.currency !== child.rules.currency) {
          return await this.#set(intertie, 'joining', now, `the cluster trades ${basis.commodity} in ${basis.currency}, not ${child.rules.resource.name} in ${child.rules.currency}`);
        }
        this.#joined.add(child.rules.id);
      } else if (!this.#joined.has(child.rules.id)) {
        const why = await link.join(child.rules);
        if (why !== undefined) return await this.#set(intertie, 'joining', now, why);
        this.#joined.add(child.rules.id);
      }
      await step();
      // Linked once the parent answers; a step that had nothing to ask it proves nothing.
      if (intertie.link.answered > answered) await this.#set(intertie, 'linked', now);
    } catch (error) {
      const reason = (error as Error).message;
      // The SDK reports transport failures as 503: those and other 5xx mean the parent is away; a 4xx is a refusal to look into.
      const unreachable = isMicromarketClientError(error) && error.responseCode.startsWith('5');
      if (unreachable) await this.#set(intertie, 'islanded', now, reason).catch(() => undefined);
      else if (!this.#joined.has(intertie.child.rules.id)) await this.#set(intertie, 'joining', now, reason).catch(() => undefined);
      else if (this.#refused.get(intertie.child.rules.id) !== reason) {
        // Said once per reason: the next tick will most likely meet the same refusal.
        this.#refused.set(intertie.child.rules.id, reason);
        this.log.warn({ market: intertie.child.rules.id, parent: intertie.parent, err: reason }, 'intertie step refused by the parent');
      }
    }
  }

  async #set(intertie: Intertie, state: IntertieState, now: number, reason?: string): Promise<void> {
    const market = intertie.child.rules.id;
    const last = this.#status.get(market);
    if (last?.state === state && last.reason === reason) return;
    const status: IntertieStatus = { market, parent: intertie.parent, state, since: now, ...(reason !== undefined ? { reason } : {}) };
    this.#status.set(market, status);
    const log = state === 'linked' ? this.log.info.bind(this.log) : this.log.warn.bind(this.log);
    log({ market, parent: intertie.parent, state, reason }, state === 'islanded' ? 'intertie islanded: clearing on the local curve' : `intertie ${state}`);
    await this.store.commit([intertieCollections.intertieStatus.put([market], status)]);
  }

  async #records(intertie: Intertie): Promise<Map<number, IntertieRecord>> {
    const entries = await intertieCollections.interties.list(this.store, [intertie.child.rules.id]);
    return new Map(entries.map(([key, value]) => [intervalOfKey(key), value]));
  }

  async #up(intertie: Intertie, now: number): Promise<void> {
    const { child, link } = intertie;
    if (link instanceof PowerMatcherParent) return this.#bidCluster(intertie, link, now);
    const parent = link.rules!;
    const [engine] = await this.host.current([child]) as [ChildMarket];
    const records = await this.#records(intertie);
    // Intervals with bids, and those bid in before whose bids are all gone (their ladder must be withdrawn).
    for (const interval of [...new Set([...engine.openIntervals(), ...records.keys()])].sort((a, b) => a - b)) {
      if (now >= interval - gateClosureMs(parent)) continue; // the parent no longer takes bids for it
      const residual = engine.residual(interval);
      const steps = residual ? curveProducts(parent, upwardCurve(engine.grid!, residual, gridOf(parent)!, termsOf(child, interval)), interval) : [];
      const sent = createHash('sha256').update(JSON.stringify(steps)).digest('hex').slice(0, 12);
      const record = records.get(interval);
      if (record ? record.sent === sent : steps.length === 0) continue;
      const rev = (record?.rev ?? 0) + 1;
      const key = `${child.rules.id}.${interval}.${rev}.${sent}`;
      const ids = steps.map((_, k) => `${key}.${k}`);
      const open = await link.openTenders(interval);
      // A ladder the parent acknowledged before a crash here is found open and not sent twice.
      if (!(open.length === ids.length && ids.every((id) => open.includes(id)))) {
        if (open.length > 0) await link.cancel(open, `intertie.${key}.cancel`);
        if (steps.length > 0) {
          await link.tender(steps.map((product, k) => ({ tenderID: ids[k]!, product })), `intertie.${key}`);
        }
      }
      await this.store.commit([intertieCollections.interties.put(intertieCollections.interties.key(child.rules.id, interval), { rev, sent, tenders: steps.length } satisfies IntertieRecord)]);
    }
  }

  async #down(intertie: Intertie, now: number): Promise<void> {
    const { child } = intertie;
    const parentGate = this.#parentGate(intertie);
    const childGate = gateClosureMs(child.rules);
    const records = await this.#records(intertie);
    // First what needs no answer from the parent, so that an unreachable parent cannot hold it up.
    const local: WriteOp[] = [];
    for (const [interval, record] of records) {
      const key = intertieCollections.interties.key(child.rules.id, interval);
      if (interval < now - KEEP_MS) local.push(intertieCollections.interties.del(key));
      if (record.outcome || record.islanded || record.tenders === 0 || now < interval - childGate) continue;
      // Too late to take the parent's flow: the child clears (or cleared) on its own curve.
      this.log.warn({ market: child.rules.id, parent: intertie.parent, interval }, 'intertie: interval cleared islanded, the parent\'s outcome never arrived');
      local.push(intertieCollections.interties.put(key, { ...record, islanded: true }));
      records.set(interval, { ...record, islanded: true });
      this.#saw(child.rules.id, (seen) => seen.islandedIntervals++);
    }
    if (local.length > 0) await this.store.commit(local);
    for (const [interval, record] of records) {
      const key = intertieCollections.interties.key(child.rules.id, interval);
      if (record.islanded) {
        if (!(intertie.link instanceof PowerMatcherParent)) await this.#deviation(intertie, key, record, interval, now);
      }
      else if (!record.outcome && record.tenders > 0 && now >= interval - parentGate && now < interval - childGate) await this.#take(intertie, key, record, interval, now);
    }
  }

  /** Fetches the parent's outcome of an interval and, once there is one, places the flow in the child with the record that says so. */
  async #take(intertie: Intertie, key: Key, record: IntertieRecord, interval: number, now: number): Promise<void> {
    const { child, link } = intertie;
    const outcome = await link.outcome(interval);
    if (!outcome) return;
    // Bids are truncated to the parent's quantity tick, so a flow within a tick of capacity is at it; a cluster's are not.
    const tolerance = link instanceof PowerMatcherParent ? 1e-9 : link.rules!.quantities.tick;
    const terms = termsOf(child, interval);
    const flow = childFlow(terms, outcome.net);
    // A curve market takes the flow as a fixed bid with price bounds; a continuous one as limit orders at parity.
    const commands: EngineCommand[] = child instanceof CallMarket
      ? [{ kind: 'intertie', partyID: intertieAccount(child.rules), interval, flow, bounds: priceBounds(terms, outcome.price, flow, tolerance), now }]
      : flowTenders(child, interval, flow, outcome.price).map((tender) => ({ kind: 'submit', tender, availability: [], now }));
    await this.host.withWork(async (work) => {
      await work.enter([child]);
      const writes: WriteOp[] = [];
      for (const command of commands) {
        const { result, writes: w } = work.run(child, command);
        writes.push(...w);
        const refusal = 'code' in result ? result : 'rejection' in result ? result.rejection : undefined;
        // Recorded all the same: the parent's trade stands, and asking again would not change the child's answer.
        if (refusal) this.log.error({ market: child.rules.id, parent: intertie.parent, interval, code: refusal.code, reason: refusal.reason }, 'intertie flow refused by this market');
      }
      await work.commit([...writes, intertieCollections.interties.put(key, { ...record, outcome: { parentPrice: outcome.price, parentNet: outcome.net, flow } })]);
    });
    this.#saw(child.rules.id, (seen) => Object.assign(seen, { flow, parentPrice: outcome.price }));
    this.log.info({ market: child.rules.id, parent: intertie.parent, interval, parentPrice: outcome.price, parentNet: outcome.net, flow }, 'intertie flow placed');
  }

  /**
   * When the parent's gate for an interval has passed: a micromarket parent's own; a cluster has
   * none, so the child stops bidding `lead` before its own gate and takes the last price it has.
   */
  #parentGate(intertie: Intertie): number {
    const { link, child } = intertie;
    const parent = child.rules.intertie!.parent;
    if (link instanceof PowerMatcherParent) return gateClosureMs(child.rules) + (parent.kind === 'powermatcher' ? durationToMillis(parent.lead) : 0);
    return gateClosureMs(link.rules!);
  }

  /**
   * Sends the upward curve of the child's current interval (the first whose gate is open) to the
   * cluster, when it changed or the connection is new. A cluster holds one bid per agent and has no
   * gates, so the child bids an interval only from `lead` after the previous gate to `lead` before
   * its own: around each gate its last bid stands while the price that binds it is read.
   */
  async #bidCluster(intertie: Intertie, link: PowerMatcherParent, now: number): Promise<void> {
    const { child } = intertie;
    const gate = gateClosureMs(child.rules);
    const lead = this.#parentGate(intertie) - gate;
    const interval = firstOpenInterval(child.rules, now);
    if (now < interval - child.step - gate + lead || now >= interval - gate - lead) return;
    const [engine] = await this.host.current([child]) as [ChildMarket];
    const residual = engine.residual(interval) ?? new Float64Array(engine.grid!.steps);
    const curve = upwardCurve(engine.grid!, residual, link.grid!, termsOf(child, interval));
    const sent = `${link.connection}:${createHash('sha256').update(curve).digest('hex').slice(0, 12)}`;
    const key = intertieCollections.interties.key(child.rules.id, interval);
    const record = await intertieCollections.interties.get(this.store, key);
    if (record?.sent === sent || !link.mayBid()) return;
    const rev = link.bid(interval, curve);
    await this.store.commit([intertieCollections.interties.put(key, { rev, sent, tenders: 1 } satisfies IntertieRecord)]);
  }

  /**
   * An interval the child cleared islanded may still have been cleared by the parent with the
   * child's last bid (a parent that was down clears its late gates when it returns). That trade
   * stands in the parent; the child records it as a deviation for settlement, once.
   */
  async #deviation(intertie: Intertie, key: Key, record: IntertieRecord, interval: number, now: number): Promise<void> {
    if (record.deviation || interval < now - DEVIATION_WINDOW_MS) return;
    const outcome = await intertie.link.outcome(interval);
    if (!outcome) return;
    await this.store.commit([intertieCollections.interties.put(key, { ...record, deviation: { parentPrice: outcome.price, parentNet: outcome.net } })]);
    if (outcome.net !== 0) {
      this.log.warn({ market: intertie.child.rules.id, parent: intertie.parent, interval, parentNet: outcome.net, parentPrice: outcome.price },
        'intertie: the parent cleared an interval this market cleared islanded; its trade stands as a deviation');
    }
  }
}
