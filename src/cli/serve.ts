import { createMarket } from '../market/market.js';
import { exampleRulesDir } from '../paths.js';
import { loadMarketRules, RulesError } from '../rules/load.js';
import { EmbeddedStore } from '../store/embedded-store.js';
import { buildServer } from '../http/server.js';
import { XmlPipeline } from '../xml/pipeline.js';
import { SchemaSet } from '../xml/schema-set.js';
import { UsageError, type Command } from './command.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be 0-65535, not ${value}`);
  return n;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the micromarket service',
  usage: `Usage: micromarket serve [--port N] [--host ADDR] [--data DIR] [--rules DIR] [--log-level LEVEL]

Runs the service on the embedded durable store, with the markets defined in the rules directory.
Refuses to start if any rule file is invalid, and says which and why.

Options:
  --port N           TCP port (default: $MICROMARKET_PORT or 8080; 0 picks a free port)
  --host ADDR        address to listen on (default: $MICROMARKET_HOST or 127.0.0.1)
  --data DIR         data directory of the embedded store (default: $MICROMARKET_DATA or ./data)
  --rules DIR        market rule files (default: $MICROMARKET_RULES or the example markets in market-rules/)
  --log-level LEVEL  fatal, error, warn, info, debug or trace (default: info)
  -h, --help         show this help

Endpoints: GET /healthz, POST /xml/validate.
Stops cleanly on SIGINT or SIGTERM: in-flight requests finish, the store writes a snapshot.`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    rules: { type: 'string' },
    'log-level': { type: 'string' },
  },
  allowPositionals: false,
  async run(values) {
    const env = process.env;
    const schemas = SchemaSet.load();
    const pipeline = new XmlPipeline(schemas);
    let rules;
    try {
      rules = await loadMarketRules(String(values.rules ?? env.MICROMARKET_RULES ?? exampleRulesDir), pipeline);
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      process.stderr.write(`micromarket: invalid market rules:\n${error.message}\n`);
      return 1;
    }
    const store = await EmbeddedStore.open({ dir: String(values.data ?? env.MICROMARKET_DATA ?? './data') });
    const app = await buildServer({
      store,
      pipeline,
      markets: rules.map(createMarket),
      logger: { level: String(values['log-level'] ?? 'info') },
    });
    const address = await app.listen({
      port: port(String(values.port ?? env.MICROMARKET_PORT ?? '8080')),
      host: String(values.host ?? env.MICROMARKET_HOST ?? '127.0.0.1'),
    });
    app.log.info({ address, store: store.health().detail, markets: rules.map((r) => r.id) }, 'micromarket serving');
    return new Promise<number>((resolve) => {
      const stop = async (signal: string) => {
        app.log.info({ signal }, 'stopping');
        await app.close();
        await store.close();
        schemas.dispose();
        resolve(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
