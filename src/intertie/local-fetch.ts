import type { FastifyInstance } from 'fastify';

/**
 * A fetch that calls this service's own routes in process (fastify inject): a child market reaches
 * a parent of the same service through the same public EI interface, authentication and
 * idempotency as a remote child would, without a socket.
 */
export function injectFetch(app: FastifyInstance): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const response = await app.inject({
      method: (init?.method ?? 'GET') as 'GET' | 'POST',
      url: url.pathname + url.search,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      ...(typeof init?.body === 'string' ? { payload: init.body } : {}),
    });
    const headers = Object.entries(response.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : []));
    return new Response(response.body, { status: response.statusCode, headers });
  }) as typeof fetch;
}
