import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { MicromarketError } from '../errors.js';
import { isPartyID, PARTY_ID_RULE } from './party-id.js';

/** What a request may do. `operator` may do everything, including acting for any party. */
export const scopes = ['tender', 'quote', 'avail', 'enroll', 'register', 'report', 'operator'] as const;
export type Scope = (typeof scopes)[number];

/** Who is calling: the party a verified token names, with its scopes. */
export interface Principal {
  readonly partyID: string;
  readonly scopes: ReadonlySet<Scope>;
}

const ISSUER = 'micromarket';
const KEY_FILE = 'jwt-signing.key';

/**
 * The service's token signer (HS256). The key lives in the data directory (mode 0600) so tokens
 * survive restarts and `micromarket token` can mint them for operators without the service.
 */
export class TokenService {
  readonly #key: Uint8Array;
  /** Verified tokens until they expire: verifying is the costliest part of a small request. */
  readonly #verified = new Map<string, { principal: Principal; exp: number }>();

  private constructor(key: Uint8Array) {
    this.#key = key;
  }

  static async forDataDir(dir: string): Promise<TokenService> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, KEY_FILE);
    let key: Buffer;
    try {
      key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      key = randomBytes(32);
      await writeFile(path, key.toString('base64url'), { mode: 0o600, flag: 'wx' });
      await chmod(path, 0o600);
    }
    if (key.length < 32) throw new Error(`${path} holds a key shorter than 256 bits`);
    return new TokenService(key);
  }

  /** Issues a token for a party. `now` in ms; lifetime in seconds. */
  async issue(partyID: string, granted: readonly Scope[], now: number, lifetimeSeconds = 3600): Promise<string> {
    if (!isPartyID(partyID)) throw new Error(`a party ID is ${PARTY_ID_RULE}, not ${JSON.stringify(partyID)}`);
    const iat = Math.floor(now / 1000);
    return new SignJWT({ scope: granted.join(' ') })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(partyID)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetimeSeconds)
      .sign(this.#key);
  }

  /**
   * Verifies a bearer token and names its party and scopes.
   * @throws MicromarketError MM_ERR_AUTH_INVALID (bad signature, expired, malformed)
   */
  async verify(token: string, now: number): Promise<Principal> {
    const cached = this.#verified.get(token);
    if (cached && cached.exp * 1000 > now) return cached.principal;
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, algorithms: ['HS256'], currentDate: new Date(now) });
      if (!payload.sub || typeof payload.exp !== 'number') throw new MicromarketError('MM_ERR_AUTH_INVALID', ['no subject or expiry']);
      // A token signed with our key but minted elsewhere (or before the grammar) names no party that can exist.
      if (!isPartyID(payload.sub)) throw new MicromarketError('MM_ERR_AUTH_INVALID', ['its subject is not a party ID']);
      const granted = String(payload.scope ?? '').split(' ').filter((s): s is Scope => (scopes as readonly string[]).includes(s));
      const principal: Principal = { partyID: payload.sub, scopes: new Set(granted) };
      if (this.#verified.size > 10_000) this.#verified.clear();
      this.#verified.set(token, { principal, exp: payload.exp });
      return principal;
    } catch (error) {
      if (error instanceof MicromarketError) throw error;
      const reason = error instanceof joseErrors.JWTExpired ? 'expired'
        : error instanceof joseErrors.JOSEError ? error.code.replace(/^ERR_/, '').toLowerCase().replaceAll('_', ' ') : 'malformed';
      throw new MicromarketError('MM_ERR_AUTH_INVALID', [reason]);
    }
  }
}

/** Requires a scope (operator implies every scope). */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.has(scope) && !principal.scopes.has('operator')) throw new MicromarketError('MM_ERR_AUTH_SCOPE', [scope]);
}

/** Requires that the caller acts for itself, unless it is the operator. */
export function requireSelf(principal: Principal, partyID: string): void {
  if (principal.partyID !== partyID && !principal.scopes.has('operator')) {
    throw new MicromarketError('MM_ERR_AUTH_OTHER_PARTY', [principal.partyID, partyID]);
  }
}
