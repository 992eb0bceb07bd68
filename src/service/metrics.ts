/**
 * What the service measures, in one prom-client registry served by GET /metrics: requests and their
 * latency by route, XML reading (guard, validation, parse) latency, gate closure time per market,
 * and, read at each scrape, the books, the interties and the OpenADR delivery backlog.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Market } from '../market/market.js';
import type { IntertieReading } from '../host/views.js';

/** What the scrape-time gauges read. */
export interface MetricSources {
  readonly markets: () => readonly Market[];
  readonly interties: () => IntertieReading[];
  /** VENs with a distribute waiting for their poll, and VTN messages queued for polls. */
  readonly backlog: () => Promise<{ distributes: number; queued: number }>;
  readonly storeOk: () => boolean;
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({ name: 'micromarket_http_requests_total', help: 'HTTP requests answered, by method, route and status', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  readonly #requestSeconds = new Histogram({ name: 'micromarket_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method and route', labelNames: ['method', 'route'] as const, buckets: SECONDS, registers: [this.registry] });
  readonly xmlReadSeconds = new Histogram({ name: 'micromarket_xml_read_duration_seconds', help: 'Time to guard, validate and parse one XML request body', buckets: SECONDS, registers: [this.registry] });
  readonly gateSeconds = new Histogram({ name: 'micromarket_gate_duration_seconds', help: 'Time to close a market\'s gates and commit the outcome (auction clearing included), by market', labelNames: ['market'] as const, buckets: SECONDS, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'micromarket_' });
  }

  /** Counts and times every request by its route pattern (never the raw URL: bounded labels). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.#requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      this.#requestSeconds.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
  }

  /** Gauges read from the service at each scrape. */
  readFrom(sources: MetricSources): void {
    const registers = [this.registry];
    new Gauge({ name: 'micromarket_book_tenders', help: 'Tenders resting in a market\'s books (continuous) or waiting for its auctions (call)', labelNames: ['market'] as const, registers,
      collect() {
        this.reset();
        for (const market of sources.markets()) this.set({ market: market.rules.id }, market.tenderCount());
      } });
    new Gauge({ name: 'micromarket_book_intervals', help: 'Open intervals with tenders, by market', labelNames: ['market'] as const, registers,
      collect() {
        this.reset();
        for (const market of sources.markets()) this.set({ market: market.rules.id }, market.openIntervals().length);
      } });
    const intertie = (name: string, help: string, read: (r: IntertieReading) => number | undefined) => new Gauge({ name, help, labelNames: ['market', 'parent'] as const, registers,
      collect() {
        this.reset();
        for (const r of sources.interties()) {
          const value = read(r);
          if (value !== undefined) this.set({ market: r.market, parent: r.parent }, value);
        }
      } });
    intertie('micromarket_intertie_linked', '1 when the intertie\'s parent answers, 0 while it is joining or islanded', (r) => (r.state === 'linked' ? 1 : 0));
    intertie('micromarket_intertie_flow', 'The last flow placed through the intertie, in the child market\'s units per interval (negative: exported)', (r) => r.flow);
    intertie('micromarket_intertie_parent_price', 'The parent market\'s clearing price behind the last flow', (r) => r.parentPrice);
    intertie('micromarket_intertie_islanded_intervals', 'Intervals the child cleared islanded since the service started', (r) => r.islandedIntervals);
    new Gauge({ name: 'micromarket_openadr_backlog', help: 'OpenADR deliveries waiting for VENs\' polls: VENs with a pending distribute, and queued VTN messages', labelNames: ['kind'] as const, registers,
      async collect() {
        const { distributes, queued } = await sources.backlog();
        this.set({ kind: 'distributes' }, distributes);
        this.set({ kind: 'queued' }, queued);
      } });
    new Gauge({ name: 'micromarket_store_up', help: '1 when the store accepts writes', registers,
      collect() {
        this.set(sources.storeOk() ? 1 : 0);
      } });
  }
}
