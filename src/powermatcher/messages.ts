/**
 * PowerMatcher 2.x remote messages (net.powermatcher.remote.websockets): JSON text frames
 * `{"payloadType": ..., "payload": {...}}` with field names as PowerMatcher writes them. The
 * service speaks them as a remote agent (a market joining a PowerMatcher cluster); the adapter in
 * adapters/powermatcher as an auctioneer. Facts: ../shared/reference/powermatcher.md, sections 1 and 6.
 */
import { checkCurve, curveFromPoints, CurveError } from '../terms/curve.js';

export interface MarketBasis {
  readonly commodity: string;
  readonly currency: string;
  readonly priceSteps: number;
  readonly minimumPrice: number;
  readonly maximumPrice: number;
}

export interface PricePoint {
  readonly price: number;
  readonly demand: number;
}

/** A bid as received: its basis, its number, and its demand per price step (points already converted). */
export interface Bid {
  readonly marketBasis: MarketBasis;
  readonly bidNumber: number;
  readonly demand: Float64Array;
}

export type Message =
  | { readonly payloadType: 'CLUSTERINFO'; readonly payload: { readonly marketBasis: MarketBasis; readonly clusterId: string } }
  | { readonly payloadType: 'BID'; readonly payload: { readonly marketBasis: MarketBasis; readonly demand?: readonly number[]; readonly pricePoints?: readonly PricePoint[]; readonly bidNumber: number } }
  | { readonly payloadType: 'PRICE_UPDATE'; readonly payload: { readonly marketBasis: MarketBasis; readonly bidNumber: number; readonly priceValue: number } };

/** Why a frame is not a message we accept, in words an agent's operator can act on. */
export class ProtocolError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function marketBasis(v: unknown): MarketBasis {
  if (!isObject(v)) throw new ProtocolError('marketBasis is missing');
  const { commodity, currency, priceSteps, minimumPrice, maximumPrice } = v;
  if (typeof commodity !== 'string' || typeof currency !== 'string') throw new ProtocolError('marketBasis needs commodity and currency strings');
  if (!Number.isInteger(priceSteps) || (priceSteps as number) < 1) throw new ProtocolError('marketBasis.priceSteps must be a positive integer');
  if (!finite(minimumPrice) || !finite(maximumPrice) || maximumPrice <= minimumPrice) throw new ProtocolError('marketBasis needs finite prices with maximumPrice above minimumPrice');
  return { commodity, currency, priceSteps: priceSteps as number, minimumPrice, maximumPrice };
}

/** Two bases are the same market only if all five fields are equal (PowerMatcher's MarketBasis.equals). */
export const sameBasis = (a: MarketBasis, b: MarketBasis): boolean => a.commodity === b.commodity && a.currency === b.currency
  && a.priceSteps === b.priceSteps && a.minimumPrice === b.minimumPrice && a.maximumPrice === b.maximumPrice;

/**
 * Reads a BID frame against the cluster's basis: a demand array of priceSteps values, or price
 * points (2.0) converted as PowerMatcher converts them. Demand may not rise with price; a rise under
 * 1e-10 is float noise and flattened (PowerMatcher issue #201), a larger one is refused.
 * @throws ProtocolError with the reason
 */
export function readBid(text: string, basis: MarketBasis): Bid {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new ProtocolError('not JSON');
  }
  if (!isObject(frame) || !isObject(frame.payload)) throw new ProtocolError('not a PowerMatcher message: {"payloadType": ..., "payload": {...}}');
  if (frame.payloadType !== 'BID') throw new ProtocolError(`the auctioneer accepts only BID, not ${String(frame.payloadType)}`);
  const payload = frame.payload;
  const theirs = marketBasis(payload.marketBasis);
  if (!sameBasis(theirs, basis)) throw new ProtocolError(`the bid's market basis ${JSON.stringify(theirs)} is not the cluster's ${JSON.stringify(basis)}`);
  if (!Number.isInteger(payload.bidNumber)) throw new ProtocolError('bidNumber must be an integer');
  const grid = { minimum: basis.minimumPrice, maximum: basis.maximumPrice, steps: basis.priceSteps };
  try {
    const points = payload.pricePoints;
    if (Array.isArray(points) && points.length > 0) {
      if (!points.every((p) => isObject(p) && finite(p.price) && finite(p.demand))) throw new ProtocolError('every price point needs a finite price and demand');
      return { marketBasis: theirs, bidNumber: payload.bidNumber as number, demand: curveFromPoints(grid, points as PricePoint[]) };
    }
    const demand = payload.demand;
    if (!Array.isArray(demand) || demand.length !== basis.priceSteps || !demand.every(finite)) {
      throw new ProtocolError(`demand must be ${basis.priceSteps} finite numbers, one per price step`);
    }
    const curve = Float64Array.from(demand);
    checkCurve(grid, curve);
    return { marketBasis: theirs, bidNumber: payload.bidNumber as number, demand: curve };
  } catch (error) {
    if (error instanceof CurveError) throw new ProtocolError(error.message);
    throw error;
  }
}

export const clusterInfo = (marketBasis: MarketBasis, clusterId: string): string =>
  JSON.stringify({ payloadType: 'CLUSTERINFO', payload: { marketBasis, clusterId } });

export const priceUpdate = (marketBasis: MarketBasis, bidNumber: number, priceValue: number): string =>
  JSON.stringify({ payloadType: 'PRICE_UPDATE', payload: { marketBasis, bidNumber, priceValue } });

export const bidMessage = (marketBasis: MarketBasis, bidNumber: number, demand: Float64Array): string =>
  JSON.stringify({ payloadType: 'BID', payload: { marketBasis, demand: Array.from(demand), bidNumber } });
