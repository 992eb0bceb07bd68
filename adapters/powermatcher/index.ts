/** The PowerMatcher adapter's public surface: its websocket endpoint in front of a curve call market. */
export { startEndpoint, type Endpoint, type EndpointOptions } from './server.js';
