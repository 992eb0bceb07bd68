/** The micromarket client SDK. */
export { MicromarketClient, type ClientOptions } from './client.js';
export { isMicromarketClientError, MicromarketClientError } from './errors.js';
export { curveProducts } from './curves.js';
export { checkCurve, curveFromPoints, CurveError, type PriceGrid, type PricePoint } from '../market/curve.js';
export { rulesOf, type PublicRules } from '../ei/public-rules.js';
export { firstOpenInterval, type MarketRules } from '../market/rules.js';
export * from '../powermatcher/messages.js';
