/**
 * A child market's connection to a PowerMatcher cluster, as one remote agent (the client side of
 * PowerMatcher's websocket protocol): it sends the child's upward curve as BIDs with its own bid
 * numbers and keeps the PRICE_UPDATEs that come back. PowerMatcher has no intervals: each bid is
 * for the child's current interval, and the last price for that interval's last bid binds.
 */
import WebSocket from 'ws';
import { MicromarketClientError } from '../client/errors.js';
import { stepOf, type PriceGrid } from '../terms/curve.js';
import { bidMessage, type MarketBasis } from '../powermatcher/messages.js';
import type { ParentOutcome } from './parent-link.js';

const CONNECT_TIMEOUT_MS = 5000;

export class PowerMatcherParent {
  readonly kind = 'powermatcher';
  #socket: WebSocket | undefined;
  #basis: MarketBasis | undefined;
  #connecting: Promise<void> | undefined;
  /** Counts connections: bid numbers restart with each, so what was sent on an older one is gone. */
  connection = 0;
  #bidNumber = 0;
  /** The bids sent on this connection, by number. */
  readonly #bids = new Map<number, { interval: number; curve: Float64Array }>();
  /** Per interval, the latest price for its latest bid. */
  readonly #prices = new Map<number, { bidNumber: number; price: number }>();
  /** Messages the cluster has sent: the link is known to be up only when this grows. */
  answered = 0;

  #lastBidAt = Number.NEGATIVE_INFINITY;

  /** `minBidMs`: PowerMatcher's minTimeBetweenBidUpdates, in real time. */
  constructor(readonly url: string, readonly agentId: string, private readonly minBidMs = 1000) {}

  /** Whether a bid may go now: at most one per `minBidMs`; a change meanwhile goes with the next allowed bid. */
  mayBid(): boolean {
    return Date.now() - this.#lastBidAt >= this.minBidMs;
  }

  /** The cluster's market basis, once connected. */
  get basis(): MarketBasis | undefined {
    return this.#basis;
  }

  get grid(): PriceGrid | undefined {
    const b = this.#basis;
    return b && { minimum: b.minimumPrice, maximum: b.maximumPrice, steps: b.priceSteps };
  }

  /** Connects if not connected, and waits for CLUSTERINFO. @throws MicromarketClientError 503 when the cluster cannot be reached */
  connect(): Promise<void> {
    if (this.#socket && this.#basis) return Promise.resolve();
    return (this.#connecting ??= this.#open().finally(() => { this.#connecting = undefined; }));
  }

  async #open(): Promise<void> {
    const url = new URL(this.url);
    url.searchParams.set('agentId', this.agentId);
    url.searchParams.set('connectionId', `${this.agentId}-${Date.now().toString(36)}`);
    const socket = new WebSocket(url);
    // Errors end in 'close' (then the next step connects again); while connecting they also fail the attempt below.
    socket.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no CLUSTERINFO in time')), CONNECT_TIMEOUT_MS);
        socket.on('message', (data) => {
          if (this.#received(data.toString()) === 'CLUSTERINFO') {
            clearTimeout(timer);
            resolve();
          }
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        socket.once('close', () => {
          clearTimeout(timer);
          reject(new Error('closed'));
        });
      });
    } catch (error) {
      socket.terminate();
      throw new MicromarketClientError('503', undefined, `PowerMatcher cluster unreachable at ${this.url}: ${(error as Error).message}`);
    }
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    this.#socket = socket;
    this.connection++;
    this.#bidNumber = 0;
    this.#lastBidAt = Number.NEGATIVE_INFINITY;
    this.#bids.clear();
  }

  /** Reads a message from the cluster; returns its type. Anything before CLUSTERINFO is ignored, as PowerMatcher's client does. */
  #received(text: string): string | undefined {
    let message: { payloadType?: string; payload?: { marketBasis?: MarketBasis; bidNumber?: number; priceValue?: number } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return undefined;
    }
    if (message.payloadType === 'CLUSTERINFO' && message.payload?.marketBasis) {
      this.#basis = message.payload.marketBasis;
      this.answered++;
    } else if (message.payloadType === 'PRICE_UPDATE' && this.#basis && typeof message.payload?.priceValue === 'number') {
      const bid = this.#bids.get(message.payload.bidNumber ?? -1);
      // A price for a bid this connection never sent (or for an older bid of the interval) is dropped.
      const known = bid && this.#prices.get(bid.interval);
      if (bid && !(known && known.bidNumber > message.payload.bidNumber!)) {
        this.#prices.set(bid.interval, { bidNumber: message.payload.bidNumber!, price: message.payload.priceValue });
      }
      this.answered++;
    }
    return message.payloadType;
  }

  /** Sends a bid for one of the child's intervals; returns its number. */
  bid(interval: number, curve: Float64Array): number {
    if (!this.#socket || !this.#basis) throw new MicromarketClientError('503', undefined, `not connected to the PowerMatcher cluster at ${this.url}`);
    this.#lastBidAt = Date.now();
    const bidNumber = ++this.#bidNumber;
    this.#bids.set(bidNumber, { interval, curve });
    this.#socket.send(bidMessage(this.#basis, bidNumber, curve));
    return bidNumber;
  }

  /**
   * The cluster's price for the interval's latest priced bid, and the child's part in it: that
   * bid's demand at the price's nearest step, as a PowerMatcher device reads its allocation.
   */
  outcome(interval: number): ParentOutcome | undefined {
    const priced = this.#prices.get(interval);
    const bid = priced && this.#bids.get(priced.bidNumber);
    if (!priced || !bid) return undefined;
    return { price: priced.price, net: bid.curve[stepOf(this.grid!, priced.price)]! };
  }

  close(): void {
    this.#socket?.close();
  }
}
