import type { Availability } from '../calendar/availability.js';
import type { Instant } from '../calendar/instant.js';
import { admit, MarketCalendar, type Admitted, type TenderInput } from './admission.js';
import { Positions } from './positions.js';
import { granularityMs, pricePrecision, type MarketRules } from '../terms/rules.js';
import { Ticks } from '../terms/ticks.js';
import { amountPerUnit } from './units.js';
import type { ClearingResult, Rejection, Removal, Transaction } from './types.js';

/** What a call into a market produced. */
export interface MarketOutput {
  readonly transactions: Transaction[];
  readonly removals: Removal[];
  readonly clearings: ClearingResult[];
}

export interface SubmitOutcome extends MarketOutput {
  /** Set when the tender was refused; nothing else happened then. */
  readonly rejection?: Rejection;
}

export const emptyOutput = (): MarketOutput => ({ transactions: [], removals: [], clearings: [] });

/** What is left of a party's tender: per interval, its price and the quantity still open. */
export interface OpenTender {
  readonly tenderID: string;
  readonly side: 'buy' | 'sell';
  readonly slices: ReadonlyArray<{ interval: Instant; price: number | undefined; quantity: number }>;
}

/**
 * What rests in one interval, for people (the dashboard) and metrics: how many tenders, the depth
 * of each side by price (best first; a continuous book), or, for a call auction, what its
 * auction would give now and the aggregate demand at each price step.
 */
export interface IntervalBook {
  readonly interval: Instant;
  readonly tenders: number;
  readonly bids: ReadonlyArray<readonly [price: number, quantity: number]>;
  readonly asks: ReadonlyArray<readonly [price: number, quantity: number]>;
  readonly indicativePrice?: number;
  /** Curve markets: the aggregate demand (positive buying) at each price step, floor to cap. */
  readonly demand?: ReadonlyArray<readonly [price: number, demand: number]>;
}

/**
 * State and bookkeeping every market shares. Markets are deterministic state machines: no I/O,
 * no clock (every call takes `now`), and the same calls in the same order give the same results.
 */
export abstract class MarketBase {
  readonly positions: Positions;
  readonly step: number;
  /** Decimal places of the prices this market publishes (rules.ts, pricePrecision). */
  readonly precision: number;
  /** The market's own account: the central counterparty of call auctions. */
  readonly account: string;
  protected readonly calendar: MarketCalendar;
  protected readonly prices: Ticks;
  protected readonly quantities: Ticks;
  #transactions = 0;

  constructor(readonly rules: MarketRules) {
    this.step = granularityMs(rules);
    this.precision = pricePrecision(rules);
    this.positions = new Positions(amountPerUnit(rules.resource.units, this.step), this.precision);
    this.account = `market:${rules.id}`;
    this.calendar = new MarketCalendar(rules.hours, this.step);
    this.prices = new Ticks(rules.prices.tick);
    this.quantities = new Ticks(rules.quantities.tick);
  }

  /** Offers a tender. Continuous markets match at once; call markets hold it for the auction. */
  submit(tender: TenderInput, now: Instant, partyAvailability: readonly Availability[] = []): SubmitOutcome {
    const admitted = admit(this.rules, this.calendar, this.prices, this.quantities, tender, now, partyAvailability);
    if ('code' in admitted) return { ...emptyOutput(), rejection: admitted };
    return this.accept(tender, admitted, now);
  }

  /**
   * Whether `submit` would accept the tender, without changing anything: lets a request with
   * several tenders be refused whole before any of them trades.
   */
  check(tender: TenderInput, now: Instant, partyAvailability: readonly Availability[] = []): Rejection | undefined {
    const admitted = admit(this.rules, this.calendar, this.prices, this.quantities, tender, now, partyAvailability);
    if ('code' in admitted) return admitted;
    if (this.hasTender(tender.partyID, tender.tenderID)) {
      return { tenderID: tender.tenderID, code: 'duplicate-tender', reason: 'this party already has a tender with this ID' };
    }
    return undefined;
  }

  /** Whether the party has used this tender ID in this market (open or not): IDs are not reused. */
  abstract hasTender(partyID: string, tenderID: string): boolean;

  /** Whether the party's tender still has quantity open (not filled, cancelled or expired). */
  abstract hasOpenTender(partyID: string, tenderID: string): boolean;

  /** The party's open tenders. */
  abstract openTenders(partyID: string): OpenTender[];

  /** How many (tender, interval) slices the party holds open: what its book entries cost, for its quota. */
  abstract heldSlices(partyID: string): number;

  protected abstract accept(tender: TenderInput, admitted: Admitted, now: Instant): SubmitOutcome;

  /** Withdraws what is left of a party's tender. */
  abstract cancel(partyID: string, tenderID: string, now: Instant): MarketOutput | Rejection;

  /** Moves the market to `now`: auctions whose gate has closed clear, closed books are emptied. */
  abstract advance(now: Instant): MarketOutput;

  /**
   * Records a trade. Objects are built field by field (no spreads): an auction may make 100,000
   * of them at once.
   */
  protected transaction(interval: Instant, at: Instant, buyer: string, seller: string, price: number, quantity: number,
    buyTenderID: string | undefined, sellTenderID: string | undefined): Transaction {
    const transactionID = `${this.rules.id}-${++this.#transactions}`;
    const marketID = this.rules.id;
    const made: Transaction = buyTenderID === undefined
      ? { transactionID, marketID, interval, buyer, seller, sellTenderID: sellTenderID!, price, quantity, at }
      : sellTenderID === undefined
        ? { transactionID, marketID, interval, buyer, seller, buyTenderID, price, quantity, at }
        : { transactionID, marketID, interval, buyer, seller, buyTenderID, sellTenderID, price, quantity, at };
    this.positions.record(made);
    return made;
  }

  protected unknownTender(tenderID: string): Rejection {
    return { tenderID, code: 'unknown-tender', reason: 'no open tender with this ID for this party' };
  }
}

export const tenderKey = (partyID: string, tenderID: string) => `${partyID}\u0000${tenderID}`;
