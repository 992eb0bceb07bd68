/** The micromarket client SDK. */
export { MicromarketClient, type ClientOptions } from './client.js';
export { isMicromarketClientError, MicromarketClientError } from './errors.js';
export { curveProducts } from './curves.js';
export { rulesOf, type PublicRules } from '../ei/public-rules.js';
