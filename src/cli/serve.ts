import { readFile } from 'node:fs/promises';
import { durationToMillis, parseLength } from '../calendar/duration.js';
import { exampleRulesDir } from '../paths.js';
import { RulesError } from '../rules/load.js';
import { defaultQuotas, type Quotas } from '../host/quotas.js';
import { startService } from '../service/index.js';
import { NAMESPACE } from '../store/redis-connection.js';
import { clockFrom, clockOptions, clockUsage } from './clock.js';
import { logLevel, port, untilStopped, UsageError, type Command } from './command.js';


function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError(`--xml-workers must be 0-64, not ${value}`);
  return n;
}

/** The --retry-window length, in ms. */
function retryWindow(text: string): number {
  try {
    return durationToMillis(parseLength(text));
  } catch (error) {
    throw new UsageError(`--retry-window: ${(error as Error).message}`);
  }
}

/** The quotas the options set (each left out keeps its default). */
function quotaOptions(values: Record<string, string | boolean | string[] | undefined>): Partial<Quotas> {
  const quotas: Partial<Record<keyof Quotas, number>> = {};
  for (const [option, key] of [['quota-requests', 'requestsPerSecond'], ['quota-open-slices', 'openSlices'], ['quota-records', 'records']] as const) {
    if (values[option] === undefined) continue;
    const n = Number(values[option]);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${option} must be a whole number, at least 1, not ${String(values[option])}`);
    quotas[key] = n;
  }
  return quotas;
}

function redisOptions(url: string, values: Record<string, string | boolean | string[] | undefined>) {
  const lockMs = values['job-lock-ms'] === undefined ? undefined : Number(values['job-lock-ms']);
  if (lockMs !== undefined && !(Number.isInteger(lockMs) && lockMs >= 1000)) throw new UsageError(`--job-lock-ms must be a whole number of ms, at least 1000, not ${String(values['job-lock-ms'])}`);
  const namespace = String(values.namespace ?? process.env.MICROMARKET_REDIS_NAMESPACE ?? 'mm');
  if (!NAMESPACE.test(namespace)) throw new UsageError(`--namespace is letters, digits, '.', '_' and '-' (at most 64), not ${namespace}`);
  return { url, namespace, ...(lockMs !== undefined ? { jobLockMs: lockMs } : {}) };
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the micromarket service',
  usage: `Usage: micromarket serve [--port N] [--host ADDR] [--data DIR] [--rules DIR] [--log-level LEVEL]

Runs the service on the embedded durable store (or on Redis with --redis), with the markets defined in
the rules directory.
Refuses to start if any rule file is invalid, and says which and why.

Options:
  --port N           TCP port (default: $MICROMARKET_PORT or 8080; 0 picks a free port)
  --host ADDR        address to listen on (default: $MICROMARKET_HOST or 127.0.0.1)
  --data DIR         data directory of the embedded store and the token signing key (default: $MICROMARKET_DATA or ./data)
  --redis URL        keep all state in Redis instead (default: $MICROMARKET_REDIS_URL): redis://HOST:PORT,
                     or redis+cluster://HOST:PORT,HOST:PORT,... for a Redis Cluster; several instances
                     may share it (same namespace, same token key in --data); see docs/scaling.md
  --namespace NS     with --redis: prefix of every key (default: $MICROMARKET_REDIS_NAMESPACE or mm)
  --job-lock-ms N    with --redis: how soon a gate job whose instance died runs on another (default: 30000)
  --rules DIR        market rule files (default: $MICROMARKET_RULES or the example markets in market-rules/)
  --log-level LEVEL  fatal, error, warn, info, debug or trace (default: info)
  --xml-workers N    threads that read XML bodies (default: one per CPU but one; 0: none)
  --retry-window D   how long a request's first answer is kept for its retries, in service time, as an
                     ISO 8601 length (default: PT24H); a retry after it is a new request
  --quota-requests N     requests a party may make per second (default: ${defaultQuotas.requestsPerSecond}; on Redis, all instances together)
  --quota-open-slices N  open (tender, interval) slices a party may hold in a market (default: ${defaultQuotas.openSlices})
  --quota-records N      availability windows, open offers and opts a party may keep, each (default: ${defaultQuotas.records})
  --tls-cert FILE    serve HTTPS with this certificate (PEM) ...
  --tls-key FILE     ... and its private key (PEM)
  --tls-ca FILE      accept client certificates issued by this CA (PEM); the operator maps their
                     fingerprints to parties (POST /oauth/fingerprints)
${clockUsage}
  -h, --help         show this help

Endpoints: POST /ei/{EiRegisterParty,EiEnroll,EiMarketContext,EiQuote,EiTender,EiTransaction,EiAvail},
POST /oauth/token, POST /oauth/clients, GET /markets, GET /interties, GET /metrics, GET /dashboard, GET /healthz,
POST /xml/validate.
Nested markets (rules with an intertie) trade with their parent markets; see docs/interties.md.
Stops cleanly on SIGINT or SIGTERM: in-flight requests finish, the store writes a snapshot.`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    redis: { type: 'string' },
    namespace: { type: 'string' },
    'job-lock-ms': { type: 'string' },
    rules: { type: 'string' },
    'log-level': { type: 'string' },
    'xml-workers': { type: 'string' },
    'retry-window': { type: 'string' },
    'quota-requests': { type: 'string' },
    'quota-open-slices': { type: 'string' },
    'quota-records': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-ca': { type: 'string' },
    ...clockOptions,
  },
  allowPositionals: false,
  async run(values) {
    // Every option is read and checked before anything starts, so a bad one stops nothing half-started.
    const env = process.env;
    const clock = clockFrom(values);
    const listenOn = { port: port(String(values.port ?? env.MICROMARKET_PORT ?? '8080')), host: String(values.host ?? env.MICROMARKET_HOST ?? '127.0.0.1') };
    const level = logLevel(values['log-level']);
    const xmlWorkers = values['xml-workers'] === undefined ? undefined : count(String(values['xml-workers']));
    const quotas = quotaOptions(values);
    const retryWindowMs = values['retry-window'] === undefined ? undefined : retryWindow(String(values['retry-window']));
    const redisUrl = values.redis ?? env.MICROMARKET_REDIS_URL;
    const redis = redisUrl ? redisOptions(String(redisUrl), values) : undefined;
    if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
    const tlsFile = (name: string) => (values[name] === undefined ? undefined : readFile(String(values[name])));
    const [cert, key, ca] = await Promise.all([tlsFile('tls-cert'), tlsFile('tls-key'), tlsFile('tls-ca')]);
    let service;
    try {
      service = await startService({
        ...(cert && key ? { tls: { cert, key, ...(ca ? { ca } : {}) } } : {}),
        ...(xmlWorkers !== undefined ? { xmlWorkers } : {}),
        dataDir: String(values.data ?? env.MICROMARKET_DATA ?? './data'),
        ...(redis ? { redis } : {}),
        rulesDir: String(values.rules ?? env.MICROMARKET_RULES ?? exampleRulesDir),
        logger: { level },
        quotas,
        ...(retryWindowMs !== undefined ? { retryWindowMs } : {}),
        ...(clock ? { clock } : {}),
      });
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      process.stderr.write(`micromarket: invalid market rules:\n${error.message}\n`);
      return 1;
    }
    const { app } = service;
    let address: string;
    try {
      address = await app.listen(listenOn);
    } catch (error) {
      // A port in use, an address not of this host: stop what started, then say why.
      await service.close();
      throw error;
    }
    app.log.info({ address, store: service.context.store.health().detail, markets: service.context.host.markets.map((m) => m.rules.id) }, 'micromarket serving');
    return untilStopped(async (signal) => {
      app.log.info({ signal }, 'stopping');
      await service.close();
    });
  },
};
