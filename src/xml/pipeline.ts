import { MicromarketError } from '../errors.js';
import { DecodeError, type ElementCodec } from './codec.js';
import { defaultXmlLimits, rejectHostile, type XmlLimits } from './guard.js';
import { payloads, type Payload } from './payloads/index.js';
import { SchemaSet } from './schema-set.js';
import type { XmlElement } from './tree.js';
import { writeXml } from './writer.js';
import { lineAt } from './lines.js';

// Any prefix, or none with a namespace declared on the element itself (as OpenLEADR's VEN writes it).
/** A requestID the schemas accept (emix:IdentifierType): only such an ID is echoed, so the answer stays valid. */
const REQUEST_ID = /<(?:[\w.-]+:)?requestID(?:\s[^>]*)?>\s*([^<\s]{0,128})\s*<\//;

/**
 * The path of every XML message: guard → validate and parse (libxml2) → decode on the way in, encode → write
 * on the way out. Stateless after construction, so one instance serves all requests.
 */
export class XmlPipeline {
  readonly limits: XmlLimits;
  readonly schemas: SchemaSet;

  constructor(schemas: SchemaSet, limits: Partial<XmlLimits> = {}) {
    this.schemas = schemas;
    this.limits = { ...defaultXmlLimits, ...limits };
  }

  /** Checks size, hostile constructs, well-formedness and schema validity; returns the document's tree. */
  readTree(body: Buffer): XmlElement {
    if (body.byteLength > this.limits.maxBytes) {
      throw new MicromarketError('MM_ERR_XML_TOO_LARGE', [body.byteLength, this.limits.maxBytes]);
    }
    rejectHostile(body.toString('utf8'), this.limits);
    return this.schemas.read(body);
  }

  /**
   * Reads one message into its typed payload.
   * @throws MicromarketError with a catalogue code and, for XML errors, the line.
   */
  read(body: Buffer): Payload {
    const root = this.readTree(body);
    const codec = (payloads as Record<string, ElementCodec<unknown>>)[root.name];
    if (!codec || !codec.matches(root)) throw new MicromarketError('MM_ERR_XML_UNKNOWN_PAYLOAD', [`{${root.ns}}${root.name}`]);
    return { name: root.name, body: decodeRoot(codec, root, body) } as Payload;
  }

  /** Writes a payload as an XML document. */
  write(payload: Payload): string {
    const codec = payloads[payload.name] as { encode(value: unknown): Parameters<typeof writeXml>[0] };
    return writeXml(codec.encode(payload.body));
  }

  /** Finds the requestID of a document that could not be read, so an error response can echo it. */
  static requestIdOf(body: Buffer | string): string {
    const text = typeof body === 'string' ? body : body.subarray(0, 64 * 1024).toString('utf8');
    return REQUEST_ID.exec(text)?.[1] ?? '';
  }
}

/**
 * Decodes a validated root element, turning value errors into MM_ERR_XML_VALUE, with the line of
 * the refused value when the document's text is given (found only on error: the tree keeps no lines).
 */
export function decodeRoot<T>(codec: ElementCodec<T>, root: XmlElement, xml?: Uint8Array | string): T {
  try {
    return codec.decode(root);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    const line = xml === undefined || !error.text ? undefined : lineOfValue(typeof xml === 'string' ? xml : Buffer.from(xml).toString('utf8'), error.text);
    throw new MicromarketError('MM_ERR_XML_VALUE', [error.path, error.reason], line ? { line } : {});
  }
}

/** Line of the first element whose whole text is `value`. */
function lineOfValue(xml: string, value: string): number | undefined {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const at = new RegExp(`>\\s*${escaped}\\s*<`).exec(xml)?.index;
  return at === undefined ? undefined : lineAt(xml, at);
}
