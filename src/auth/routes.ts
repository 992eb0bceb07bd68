import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MicromarketError } from '../errors.js';
import type { Store } from '../store/store.js';
import { isPartyID, PARTY_ID_RULE } from './party-id.js';
import { scopes, type Scope, type TokenService } from './tokens.js';
import { authCollections, type ClientRecord } from './records.js';

const scryptAsync = promisify(scrypt) as (secret: string, salt: Buffer, length: number) => Promise<Buffer>;

/** How long an access token lives. @default 3600 s */
export const TOKEN_LIFETIME_SECONDS = 3600;

function parseScopes(text: unknown): Scope[] {
  const asked = String(text ?? '').split(/[\s,]+/).filter(Boolean);
  const unknown = asked.find((s) => !(scopes as readonly string[]).includes(s));
  if (unknown) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [`unknown scope ${unknown}`]);
  return asked as Scope[];
}

const scopeList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
/** The JSON bodies' schemas (fastify's): a value of the wrong type is a 400, never a failure deeper in. */
const bodies = {
  clients: { type: 'object', properties: { partyID: { type: 'string' }, scopes: scopeList } },
  fingerprints: { type: 'object', properties: { fingerprint: { type: 'string' }, partyID: { type: 'string' }, scopes: scopeList } },
  token: { type: 'object', properties: { grant_type: { type: 'string' }, client_id: { type: 'string' }, client_secret: { type: 'string' }, scope: { type: 'string' } } },
} as const;

/** A body that failed its schema, refused once the caller is known to be allowed to send one (authentication first). */
function requireValidBody(request: FastifyRequest): void {
  if (request.validationError) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [request.validationError.message]);
}

/**
 * OAuth2 client credentials (RFC 6749 section 4.4):
 *   POST /oauth/clients   (operator token, JSON {partyID, scopes}) → {client_id, client_secret, scopes}
 *   POST /oauth/token     (form grant_type=client_credentials, client_id, client_secret[, scope]) → bearer token
 * Secrets are stored only as scrypt hashes; a new secret for a party replaces the old one.
 */
export async function oauthRoutes(app: FastifyInstance, deps: { store: Store; tokens: TokenService; wallClock: () => number }): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        done(new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', ['the body is not JSON']), undefined);
      }
    });
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });

    scope.post('/oauth/clients', { schema: { body: bodies.clients }, attachValidation: true }, async (request, reply) => {
      await request.authenticate('operator');
      requireValidBody(request);
      const body = (request.body ?? {}) as { partyID?: unknown; scopes?: unknown };
      if (!isPartyID(body.partyID)) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [`partyID: ${PARTY_ID_RULE}`]);
      const granted = parseScopes(Array.isArray(body.scopes) ? body.scopes.join(' ') : body.scopes);
      const secret = randomBytes(24).toString('base64url');
      const salt = randomBytes(16);
      const record: ClientRecord = { partyID: body.partyID, salt: salt.toString('base64url'),
        hash: (await scryptAsync(secret, salt, 32)).toString('base64url'), scopes: granted };
      await deps.store.commit([authCollections.clients.put([body.partyID], record)]);
      return reply.code(201).send({ client_id: body.partyID, client_secret: secret, scopes: granted });
    });

    // Maps a TLS client certificate (by its SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it) to a party.
    scope.post('/oauth/fingerprints', { schema: { body: bodies.fingerprints }, attachValidation: true }, async (request, reply) => {
      await request.authenticate('operator');
      requireValidBody(request);
      const body = (request.body ?? {}) as { fingerprint?: unknown; partyID?: unknown; scopes?: unknown };
      const fingerprint = String(body.fingerprint ?? '').replace(/^sha256 Fingerprint=/i, '').toUpperCase();
      if (!/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(fingerprint)) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', ['fingerprint: 32 hex bytes separated by colons']);
      if (!isPartyID(body.partyID)) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [`partyID: ${PARTY_ID_RULE}`]);
      const granted = parseScopes(Array.isArray(body.scopes) ? body.scopes.join(' ') : body.scopes);
      await deps.store.commit([authCollections.fingerprints.put([fingerprint], { partyID: body.partyID, scopes: granted })]);
      return reply.code(201).send({ fingerprint, partyID: body.partyID, scopes: granted });
    });

    scope.post('/oauth/token', { schema: { body: bodies.token }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) return reply.code(400).send({ error: 'invalid_request', error_description: request.validationError.message });
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      if (form.grant_type !== 'client_credentials') {
        return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'only client_credentials' });
      }
      const client = await authCollections.clients.get(deps.store, [form.client_id ?? '']);
      const given = await scryptAsync(form.client_secret ?? '', Buffer.from(client?.salt ?? 'AAAA', 'base64url'), 32);
      if (!client || !timingSafeEqual(given, Buffer.from(client.hash, 'base64url'))) {
        return reply.code(401).send({ error: 'invalid_client', error_description: new MicromarketError('MM_ERR_AUTH_CLIENT').message });
      }
      const asked = form.scope ? parseScopes(form.scope) : (client.scopes as Scope[]);
      const extra = asked.find((s) => !client.scopes.includes(s));
      if (extra) return reply.code(400).send({ error: 'invalid_scope', error_description: `${extra} was not granted to ${client.partyID}` });
      const token = await deps.tokens.issue(client.partyID, asked, deps.wallClock(), TOKEN_LIFETIME_SECONDS);
      return reply.send({ access_token: token, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, scope: asked.join(' ') });
    });
  });
}
