/** The micromarket client SDK. */
export { MicromarketClient, type ClientOptions } from './client.js';
export { isMicromarketClientError, MicromarketClientError } from './errors.js';
