/**
 * The PowerMatcher remote endpoint: `ws(s)://host:port/powermatcher/websocket?agentId=...&connectionId=...`,
 * as PowerMatcher's websocket servlet serves it, in front of one micromarket curve call market.
 * An agent authenticates with its micromarket token: `&token=`, an `Authorization: Bearer` header on
 * the upgrade, or, for agents that cannot send either, the token the operator configured for its
 * agentId. Its agentId is its party.
 */
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { Auctioneer, type AgentLink, type AuctioneerOptions } from './auctioneer.js';

export interface EndpointOptions extends Omit<AuctioneerOptions, 'log'> {
  readonly port: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** How often the endpoint looks for a closed gate. @default 250 */
  readonly tickMs?: number;
  /** Tokens by agentId, for agents that connect with agentId and connectionId only. */
  readonly agentTokens?: ReadonlyMap<string, string>;
  /** pino options, or false. @default false */
  readonly logger?: boolean | { level: string };
}

export interface Endpoint {
  readonly url: string;
  readonly auctioneer: Auctioneer;
  close(): Promise<void>;
}

/** Policy violation: the WebSocket close code for a connection refused for what it sent. */
const REFUSED = 1008;

export async function startEndpoint(options: EndpointOptions): Promise<Endpoint> {
  const app: FastifyInstance = Fastify({ logger: options.logger ?? false });
  const auctioneer = await Auctioneer.open({ ...options, log: app.log });
  await app.register(websocket);
  app.get('/powermatcher/websocket', { websocket: true }, (socket, request) => {
    const query = request.query as Record<string, string | undefined>;
    const token = query.token ?? /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? options.agentTokens?.get(query.agentId ?? '');
    const link: AgentLink = { send: (text) => socket.send(text), close: (code, reason) => socket.close(code, reason) };
    if (!query.agentId) return link.close(REFUSED, 'agentId is required');
    if (!token) return link.close(REFUSED, 'a micromarket token is required (token=, Authorization: Bearer, or configured for the agentId)');
    app.log.info({ agentId: query.agentId, connectionId: query.connectionId }, 'powermatcher: agent connected');
    const receive = auctioneer.connect(query.agentId, token, link);
    socket.on('message', (data, binary) => {
      if (!binary) receive(data.toString()); // PowerMatcher ignores binary frames
    });
    // A broken connection must not take the endpoint down: it ends in 'close' like any other.
    socket.on('error', (error) => app.log.warn({ agentId: query.agentId, err: error.message }, 'powermatcher: connection error'));
    socket.on('close', () => {
      app.log.info({ agentId: query.agentId }, 'powermatcher: agent disconnected');
      void auctioneer.disconnect(link);
    });
  });
  const url = await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const timer = setInterval(() => void auctioneer.tick().catch((error: Error) => app.log.warn({ err: error.message }, 'powermatcher: tick failed')), options.tickMs ?? 250);
  return {
    url: url.replace(/^http/, 'ws'),
    auctioneer,
    async close() {
      clearInterval(timer);
      await app.close();
      await auctioneer.close();
    },
  };
}
