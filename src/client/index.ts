/** The micromarket client SDK. */
export { MicromarketClient, type ClientOptions } from './client.js';
export { isMicromarketClientError, MicromarketClientError } from './errors.js';
export { curveProducts } from './curves.js';
export { checkCurve, curveFromPoints, CurveError, type PriceGrid, type PricePoint } from '../terms/curve.js';
export { rulesOf, type PublicRules } from '../terms/public-rules.js';
export { firstOpenInterval, type MarketRules } from '../terms/rules.js';
export * from '../powermatcher/messages.js';
export { OpenAdrVen, type VenOptions, type VenEvent, type ReportOffer, type ReportPoint, type ReportRequest, type ReportReading } from './ven.js';
export { defaultDeviceSignals, deviceCommands, type DeviceCommand, type DeviceSignals } from '../terms/signals.js';
export type { TransportOptions } from './transport.js';
