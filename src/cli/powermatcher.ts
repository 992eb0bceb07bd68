import { readFile } from 'node:fs/promises';
import { startEndpoint } from '../../adapters/powermatcher/index.js';
import { clockFrom, clockOptions, clockUsage } from './clock.js';
import { logLevel, port, untilStopped, UsageError, type Command } from './command.js';

export const powermatcherCommand: Command = {
  name: 'powermatcher',
  summary: 'let PowerMatcher agents trade in a curve call market',
  usage: `Usage: micromarket powermatcher --market CONTEXT [--service URL] [--token-file FILE] [--port N]

Serves PowerMatcher 2.x's remote protocol in front of one curve call market of a micromarket service:
  ws://HOST:PORT/powermatcher/websocket?agentId=AGENT&connectionId=ID&token=TOKEN
Each agent is the party AGENT, with its own micromarket token (scopes register, enroll, tender,
quote); its bids stand in the market's current interval and it is sent a PRICE_UPDATE after each
bid change and at each gate. See docs/adapters/powermatcher.md.

Options:
  --market CONTEXT           the curve call market (its market context URI)
  --service URL              the micromarket service (default: $MICROMARKET_URL or http://127.0.0.1:8080)
  --token-file FILE          a token of the adapter's own party, quote scope (default: $MICROMARKET_TOKEN)
  --agent-tokens FILE        JSON {"agentId": "token", ...}: tokens for agents that connect with
                             agentId and connectionId only (unmodified PowerMatcher clients)
  --port N                   websocket port (default: 8081; 0 picks a free port)
  --host ADDR                address to listen on (default: 127.0.0.1)
  --cluster-id ID            the clusterId sent in CLUSTERINFO (default: DefaultCluster)
  --min-price-update-ms N    PowerMatcher's minTimeBetweenPriceUpdates (default: 1000)
  --log-level LEVEL          fatal, error, warn, info, debug or trace (default: info)
${clockUsage}
  -h, --help                 show this help

Stops on SIGINT or SIGTERM, withdrawing the connected agents' bids.`,
  options: {
    market: { type: 'string' },
    service: { type: 'string' },
    'token-file': { type: 'string' },
    'agent-tokens': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'cluster-id': { type: 'string' },
    'min-price-update-ms': { type: 'string' },
    'log-level': { type: 'string' },
    ...clockOptions,
  },
  allowPositionals: false,
  async run(values) {
    const market = values.market as string | undefined;
    if (!market) throw new UsageError('powermatcher needs --market CONTEXT');
    const token = values['token-file'] !== undefined ? (await readFile(String(values['token-file']), 'utf8')).trim() : process.env.MICROMARKET_TOKEN;
    if (!token) throw new UsageError('powermatcher needs --token-file FILE or $MICROMARKET_TOKEN');
    const minMs = Number(values['min-price-update-ms'] ?? '1000');
    if (!(Number.isInteger(minMs) && minMs >= 0)) throw new UsageError(`--min-price-update-ms must be a whole number of ms, not ${String(values['min-price-update-ms'])}`);
    const clock = clockFrom(values);
    const agentTokens = values['agent-tokens'] === undefined ? undefined
      : new Map(Object.entries(JSON.parse(await readFile(String(values['agent-tokens']), 'utf8')) as Record<string, string>));
    const endpoint = await startEndpoint({
      service: String(values.service ?? process.env.MICROMARKET_URL ?? 'http://127.0.0.1:8080'), marketContext: market, token,
      port: port(String(values.port ?? '8081')), host: String(values.host ?? '127.0.0.1'), minTimeBetweenPriceUpdatesMs: minMs,
      ...(values['cluster-id'] !== undefined ? { clusterId: String(values['cluster-id']) } : {}), ...(clock ? { clock } : {}),
      ...(agentTokens ? { agentTokens } : {}),
      logger: { level: logLevel(values['log-level']) },
    });
    process.stderr.write(`micromarket powermatcher: ${endpoint.url}/powermatcher/websocket → ${market}\n`);
    return untilStopped(() => endpoint.close());
  },
};
