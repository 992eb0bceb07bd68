import { XmlPipeline } from '../xml/pipeline.js';
import { SchemaSet } from '../xml/schema-set.js';
import { MicromarketClientError } from './errors.js';

let shared: XmlPipeline | undefined;
/** The bundled schemas, compiled once for every client in the process. */
export const clientPipeline = (): XmlPipeline => (shared ??= new XmlPipeline(SchemaSet.load()));

/** How a client reaches the service and proves who it is. */
export interface TransportOptions {
  /** The service, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** A bearer token (from `micromarket token`), or client credentials to obtain one. */
  readonly token?: string;
  /** Where a fresh token comes from when there is none or it expired (a service minting its own). */
  readonly tokenSource?: () => Promise<{ token: string; expiresInSeconds: number }>;
  readonly credentials?: { readonly clientId: string; readonly clientSecret: string };
  /**
   * Attempts for a request that failed in transport or with a 5xx; every attempt carries the same
   * requestID, so the service applies it at most once.
   * @default 3
   */
  readonly attempts?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** HTTP to the service with a bearer token: retried on transport failures and 5xx, the token renewed once on 401. */
export class Transport {
  #token: { value: string; until: number } | undefined;

  constructor(private readonly options: TransportOptions) {
    if (options.token) this.#token = { value: options.token, until: Number.POSITIVE_INFINITY };
  }

  /** Whether a refused token can be replaced (client credentials or a token source, not a fixed token). */
  get renewable(): boolean {
    return this.options.credentials !== undefined || this.options.tokenSource !== undefined;
  }

  /** Drops the cached token, so the next request gets a new one: for answers that refuse it inside a 200 (OpenADR). */
  forgetToken(): void {
    this.#token = undefined;
  }

  /** POSTs an XML document; a status other than 200 becomes a MicromarketClientError with the service's reason. */
  async postXml(path: string, xml: string): Promise<string> {
    const { status, text } = await this.request(path, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
    if (status !== 200) {
      const description = /<(?:\w+:)?responseDescription>([^<]*)</.exec(text)?.[1] ?? text.slice(0, 200);
      throw new MicromarketClientError(String(status), /^(MM_ERR_\w+):/.exec(description)?.[1], description);
    }
    return text;
  }

  async request(path: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; text: string }> {
    const doFetch = this.options.fetch ?? fetch;
    const attempts = this.options.attempts ?? 3;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(new URL(path, this.options.baseUrl), { ...init, headers: { ...init.headers, authorization: `Bearer ${await this.#bearer()}` } });
      } catch (error) {
        if (error instanceof MicromarketClientError) throw error;
        if (attempt >= attempts) throw new MicromarketClientError('503', undefined, `service unreachable: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      const text = await res.text();
      if (res.status === 401 && this.renewable && !refreshed) {
        this.forgetToken(); // expired or revoked: get a new one once
        refreshed = true;
        continue;
      }
      if (res.status >= 500 && attempt < attempts) {
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      return { status: res.status, text };
    }
  }

  async #bearer(): Promise<string> {
    if (this.#token && this.#token.until > Date.now()) return this.#token.value;
    if (this.options.tokenSource) {
      const { token, expiresInSeconds } = await this.options.tokenSource();
      this.#token = { value: token, until: Date.now() + (expiresInSeconds - 30) * 1000 };
      return token;
    }
    const credentials = this.options.credentials;
    if (!credentials) throw new MicromarketClientError('401', 'MM_ERR_AUTH_MISSING', 'no token and no client credentials');
    const res = await (this.options.fetch ?? fetch)(new URL('/oauth/token', this.options.baseUrl), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }),
    });
    const answer = await res.json() as { access_token?: string; expires_in?: number; error_description?: string };
    if (!res.ok || !answer.access_token) throw new MicromarketClientError(String(res.status), 'MM_ERR_AUTH_CLIENT', answer.error_description ?? 'token refused');
    this.#token = { value: answer.access_token, until: Date.now() + ((answer.expires_in ?? 60) - 30) * 1000 };
    return answer.access_token;
  }
}
