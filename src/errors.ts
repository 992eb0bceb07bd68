/**
 * The error catalogue. Every error micromarket reports to a client is one of these, so a client
 * can rely on `code`. `status` is the HTTP status; `responseCode` is what goes into
 * `ei:eiResponse/ei:responseCode`. Each code is documented in docs/errors.md (a test checks it).
 */
export interface ErrorDefinition {
  readonly code: string;
  readonly message: string;
  readonly status: number;
  readonly responseCode: string;
}

function define(code: string, message: string, status: number, responseCode = String(status)): ErrorDefinition {
  return { code, message, status, responseCode };
}

export const errorCatalogue = {
  MM_ERR_XML_TOO_LARGE: define('MM_ERR_XML_TOO_LARGE', 'body of %s bytes exceeds the limit of %s bytes', 413),
  MM_ERR_XML_DOCTYPE: define('MM_ERR_XML_DOCTYPE', 'DOCTYPE and entity declarations are not accepted', 400),
  MM_ERR_XML_TOO_DEEP: define('MM_ERR_XML_TOO_DEEP', 'elements nest deeper than the limit of %s', 400),
  MM_ERR_XML_MALFORMED: define('MM_ERR_XML_MALFORMED', 'not well-formed: %s', 400),
  MM_ERR_XML_INVALID: define('MM_ERR_XML_INVALID', 'not valid: %s', 400),
  MM_ERR_XML_UNKNOWN_PAYLOAD: define('MM_ERR_XML_UNKNOWN_PAYLOAD', '%s is not a payload this endpoint accepts', 400),
  MM_ERR_XML_VALUE: define('MM_ERR_XML_VALUE', '%s: %s', 400),
  MM_ERR_HTTP_CONTENT_TYPE: define('MM_ERR_HTTP_CONTENT_TYPE', 'content type %s is not accepted; send application/xml', 415),
  MM_ERR_HTTP_CONTENT_ENCODING: define('MM_ERR_HTTP_CONTENT_ENCODING', 'content encoding %s is not accepted; send the body as it is (identity)', 415),
  MM_ERR_HTTP_CHARSET: define('MM_ERR_HTTP_CHARSET', 'charset %s is not accepted; send UTF-8', 415),
  MM_ERR_QUOTA_REQUESTS: define('MM_ERR_QUOTA_REQUESTS', 'party %s made more than %s requests in a second; retry after a second', 429, '429'),
  MM_ERR_QUOTA_RECORDS: define('MM_ERR_QUOTA_RECORDS', '%s: the party holds %s and may hold %s; cancel some first', 200, '429'),
  MM_ERR_QUOTA_SLICES: define('MM_ERR_QUOTA_SLICES', 'open tenders in %s: the party holds %s (tender, interval) slices, these add %s, and it may hold %s', 200, '429'),
  MM_ERR_HTTP_NOT_FOUND: define('MM_ERR_HTTP_NOT_FOUND', 'no route for %s %s', 404),
  MM_ERR_HTTP_BAD_REQUEST: define('MM_ERR_HTTP_BAD_REQUEST', '%s', 400),
  MM_ERR_AUTH_MISSING: define('MM_ERR_AUTH_MISSING', 'no credentials: send Authorization: Bearer <token>', 401),
  MM_ERR_AUTH_INVALID: define('MM_ERR_AUTH_INVALID', 'token refused: %s', 401),
  MM_ERR_AUTH_SCOPE: define('MM_ERR_AUTH_SCOPE', 'the token lacks the %s scope', 403),
  MM_ERR_AUTH_OTHER_PARTY: define('MM_ERR_AUTH_OTHER_PARTY', 'a token of %s cannot act for %s', 403),
  MM_ERR_AUTH_CLIENT: define('MM_ERR_AUTH_CLIENT', 'invalid client credentials', 401),
  MM_ERR_EI_WRONG_SERVICE: define('MM_ERR_EI_WRONG_SERVICE', '%s is not an operation of %s', 400, '459'),
  MM_ERR_EI_UNKNOWN_PARTY: define('MM_ERR_EI_UNKNOWN_PARTY', 'party %s is not registered', 200, '463'),
  MM_ERR_EI_UNKNOWN_MARKET: define('MM_ERR_EI_UNKNOWN_MARKET', 'no market with context %s', 200, '454'),
  MM_ERR_EI_NOT_ENROLLED: define('MM_ERR_EI_NOT_ENROLLED', 'party %s has no approved enrollment in %s', 200, '451'),
  MM_ERR_EI_UNKNOWN_ID: define('MM_ERR_EI_UNKNOWN_ID', 'no %s %s for this party', 200, '452'),
  MM_ERR_EI_DUPLICATE_ID: define('MM_ERR_EI_DUPLICATE_ID', '%s %s already exists', 200, '452'),
  MM_ERR_EI_TENDER_REFUSED: define('MM_ERR_EI_TENDER_REFUSED', 'tender %s refused: %s: %s', 200, '454'),
  MM_ERR_EI_INVALID: define('MM_ERR_EI_INVALID', '%s', 200, '454'),
  MM_ERR_EI_OUT_OF_SEQUENCE: define('MM_ERR_EI_OUT_OF_SEQUENCE', 'event %s is at modificationNumber %s, not %s', 200, '450'),
  MM_ERR_STORE_CLOSED: define('MM_ERR_STORE_CLOSED', 'the store is closed', 503),
  MM_ERR_STORE_UNAVAILABLE: define('MM_ERR_STORE_UNAVAILABLE', 'the store cannot be reached: %s', 503),
  MM_ERR_STORE_CONFLICT: define('MM_ERR_STORE_CONFLICT', '%s %s: %s', 409),
  MM_ERR_STORE_CORRUPT: define('MM_ERR_STORE_CORRUPT', '%s at byte %s: %s', 500),
  MM_ERR_INTERNAL: define('MM_ERR_INTERNAL', 'internal error', 500),
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error with a catalogue code. Safe to show to clients: the message holds no internals. */
/**
 * How much of a request an error may quote: a value up to 200 characters, a whole reason up to 900,
 * so `code: line n: reason` fits the 1024 characters of an ei:responseDescription and a recorded
 * refusal stays small whatever the request held.
 */
const MAX_QUOTED = 200;
const MAX_REASON = 900;
const bounded = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export class MicromarketError extends Error {
  override readonly name = 'MicromarketError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly responseCode: string;
  /** The message without its location. */
  readonly reason: string;
  /** 1-based line of the offending XML, when the error is about a document. */
  readonly line: number | undefined;

  /** `where.reason` gives an already formatted reason (an error rebuilt after crossing a thread). */
  constructor(code: ErrorCode, args: ReadonlyArray<string | number> = [], where: { line?: number; reason?: string } = {}) {
    const def = errorCatalogue[code];
    let i = 0;
    const reason = bounded(where.reason ?? def.message.replace(/%s/g, () => bounded(String(args[i++] ?? ''), MAX_QUOTED)), MAX_REASON);
    super(where.line ? `line ${where.line}: ${reason}` : reason);
    this.code = code;
    this.status = def.status;
    this.responseCode = def.responseCode;
    this.reason = reason;
    this.line = where.line;
  }
}

/** True for a MicromarketError, also across two loaded copies of this module. */
export function isMicromarketError(error: unknown): error is MicromarketError {
  return error instanceof MicromarketError || (error as { name?: unknown } | null)?.name === 'MicromarketError';
}
