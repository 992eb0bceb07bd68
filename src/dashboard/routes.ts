/**
 * The operator's dashboard: a page (`GET /dashboard`) that asks for an operator token and then
 * follows `GET /dashboard/stream`, a server-sent event stream of snapshots (one whenever what it
 * shows changed, checked every second). `GET /dashboard/state` is the same snapshot once. The page's
 * script, styles and chart library (uPlot) are served from `GET /dashboard/assets/NAME`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../host/context.js';
import { dashboardDir } from '../paths.js';
import { snapshot, type SnapshotSources } from './snapshot.js';

const uplot = (file: string) => createRequire(import.meta.url).resolve(`uplot/dist/${file}`);
/** The only files served, by name: nothing else on disk is reachable (a Map: no name reaches an object's prototype). */
const assets = new Map<string, { path: () => string; type: string }>([
  ['dashboard.js', { path: () => join(dashboardDir, 'dashboard.js'), type: 'text/javascript; charset=utf-8' }],
  ['dashboard.css', { path: () => join(dashboardDir, 'dashboard.css'), type: 'text/css; charset=utf-8' }],
  ['uPlot.iife.min.js', { path: () => uplot('uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' }],
  ['uPlot.min.css', { path: () => uplot('uPlot.min.css'), type: 'text/css; charset=utf-8' }],
]);

/** How often a stream looks for a change. */
const EVERY_MS = 1000;

export function dashboardRoutes(app: FastifyInstance, context: ServiceContext, sources: SnapshotSources): void {
  app.get('/dashboard', async (_request, reply) => reply.type('text/html; charset=utf-8').send(await readFile(join(dashboardDir, 'index.html'))));

  app.get<{ Params: { name: string } }>('/dashboard/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).send({ error: 'no such asset' });
    return reply.type(asset.type).header('cache-control', 'no-cache').send(await readFile(asset.path()));
  });

  app.get('/dashboard/state', async (request) => {
    await request.authenticate('operator');
    return snapshot(context, sources);
  });

  app.get('/dashboard/stream', async (request, reply) => {
    await request.authenticate('operator');
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let last = '';
    let quiet = 0;
    const send = async () => {
      const text = JSON.stringify(await snapshot(context, sources));
      if (text !== last) {
        last = text;
        quiet = 0;
        out.write(`event: state\ndata: ${text}\n\n`);
      } else if (++quiet % 15 === 0) {
        out.write(': still here\n\n'); // keeps proxies from closing an idle stream
      }
    };
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      send().catch((error: Error) => request.log.warn({ err: error.message }, 'dashboard: snapshot failed')).finally(() => { busy = false; });
    }, EVERY_MS);
    request.raw.on('close', () => clearInterval(timer));
    await send().catch((error: Error) => request.log.warn({ err: error.message }, 'dashboard: snapshot failed'));
  });
}
