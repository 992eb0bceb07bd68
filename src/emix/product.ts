import type { Duration } from '../calendar/duration.js';
import type { Instant } from '../calendar/instant.js';

export const transactiveStates = [
  'indicationOfInterest', 'tender', 'transaction', 'exercise', 'delivery', 'transportCommitment', 'publication',
] as const;
/** Where a product stands in the transactive life cycle (EMIX). */
export type TransactiveState = (typeof transactiveStates)[number];

export const sides = ['buy', 'sell'] as const;
export type Side = (typeof sides)[number];

export const siScaleCodes = ['p', 'n', 'micro', 'm', 'c', 'd', 'k', 'M', 'G', 'T', 'none'] as const;
/** SI prefix of an item's unit: `k` makes W into kW. */
export type SiScaleCode = (typeof siScaleCodes)[number];

/** The power of ten each SI scale code stands for. */
export const SI_EXPONENT: Readonly<Record<SiScaleCode, number>> = { p: -12, n: -9, micro: -6, m: -3, c: -2, d: -1, none: 0, k: 3, M: 6, G: 9, T: 12 };

/** A price: absolute, a multiplier of a reference price, or an adder relative to it. */
export interface Price {
  kind: 'price' | 'priceMultiplier' | 'priceRelative';
  value: number;
}

export interface PowerAttributes {
  hertz: number;
  voltage: number;
  ac: boolean;
}

/** Nominal attributes of a grid no rule names (50 Hz, 230 V AC): what power items carry by default. */
export const NOMINAL_GRID: PowerAttributes = { hertz: 50, voltage: 230, ac: true };

/** EMIX and OpenADR require the grid's attributes on every power item. */
export interface PowerReal {
  siScaleCode: SiScaleCode;
  powerAttributes: PowerAttributes;
}

export interface EnergyReal {
  siScaleCode: SiScaleCode;
}

/** The item traded: real power (W) or real energy (Wh), scaled by an SI prefix. */
export type Item = { kind: 'powerReal'; value: PowerReal } | { kind: 'energyReal'; value: EnergyReal };

/** The TeMIX payload: price and quantity of an item, for a whole product or for one interval. */
export interface TemixPower {
  price?: Price;
  item?: Item;
  quantity?: number;
}

/** A payload attached to a product or an interval. TeMIX power is the one defined so far. */
export type StreamPayload = { kind: 'temixPower'; value: TemixPower };

/**
 * One interval of a product's schedule. What it omits it inherits from the product (dtstart
 * follows from the earlier intervals' durations, payload fields from the product's payload).
 */
export interface Interval {
  dtstart?: Instant;
  duration?: Duration;
  uid?: string;
  payloads: StreamPayload[];
}

/** An EMIX product: what is traded, at what price and quantity, over which schedule, on which side. */
export interface Product {
  dtstart?: Instant;
  duration?: Duration;
  payload?: StreamPayload;
  intervals?: Interval[];
  uid: string;
  transactiveState: TransactiveState;
  expirationDate?: Instant;
  integralOnly?: boolean;
  currency?: string;
  marketContext: string;
  side: Side;
}
