import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ParseOption, XmlBufferInputProvider, XmlDocument, XmlParseError, XmlValidateError, XsdValidator,
  xmlRegisterInputProvider, type ErrorDetail,
} from 'libxml2-wasm';
import { MicromarketError } from '../errors.js';
import { schemaDir } from '../paths.js';
import { prefixOf } from './namespaces.js';
import { treeOf, type XmlElement } from './tree.js';

const ENTRY = 'micromarket.xsd';
/** No network, no external entities: documents are parsed from memory and nothing else is loaded. */
const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_BIG_LINES;

/**
 * libxml2 keeps input providers in process-wide state, so one provider serves every schema set;
 * each set gets its own virtual directory. It answers only for bundled schema files, so an
 * `xs:import` or `xs:include` can never reach the file system or the network.
 */
const bundleProvider = new XmlBufferInputProvider({});
let providerRegistered = false;
let nextBundle = 0;

/** Shortens `{namespace-uri}local` in libxml2 messages to `prefix:local`. */
function readable(message: string): string {
  return message.trim().replace(/\{([^}]+)\}([\w.-]+)/g, (whole, uri: string, local: string) => {
    const prefix = prefixOf.get(uri);
    return prefix ? `${prefix}:${local}` : whole;
  });
}

function describe(details: readonly ErrorDetail[]): { line: number; reason: string } {
  const errors = details.filter((d) => d.level >= 2);
  const first = errors[0] ?? details[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return { line: first?.line ?? 0, reason: `${readable(first?.message ?? 'unknown error')}${more}` };
}

/**
 * The bundled XSD set, compiled once into a libxml2-wasm validator and reused for every document
 * (compiling per call is what makes xmllint-wasm cost 100-250 ms a document).
 */
export class SchemaSet {
  readonly #validator: XsdValidator;
  /** Every schema file of the set by file name, for tools that need the sources (xmllint, the CLI). */
  readonly files: ReadonlyMap<string, Buffer>;

  readonly entry: string;

  private constructor(validator: XsdValidator, files: ReadonlyMap<string, Buffer>, entry: string) {
    this.#validator = validator;
    this.files = files;
    this.entry = entry;
  }

  /** Compiles the schemas of `dir` from `entryName`, which reaches the others by relative path. */
  static load(dir: string = schemaDir, entryName = ENTRY): SchemaSet {
    const files = new Map<string, Buffer>();
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.xsd')).sort()) files.set(name, readFileSync(join(dir, name)));
    const entry = files.get(entryName);
    if (!entry) throw new Error(`schema set ${dir} has no ${entryName}`);
    if (!providerRegistered) providerRegistered = xmlRegisterInputProvider(bundleProvider);
    const base = `/micromarket-xsd/${nextBundle++}/`;
    for (const [name, bytes] of files) bundleProvider.addBuffer(base + name, bytes);
    const schemaDoc = XmlDocument.fromBuffer(entry, { url: base + entryName, option: PARSE_OPTIONS });
    try {
      return new SchemaSet(XsdValidator.fromDoc(schemaDoc), files, entryName);
    } finally {
      schemaDoc.dispose();
      for (const name of files.keys()) bundleProvider.removeBuffer(base + name);
    }
  }

  /**
   * Checks that a document is well-formed and valid against the set.
   * @throws MicromarketError MM_ERR_XML_MALFORMED or MM_ERR_XML_INVALID, with the line of the first error.
   */
  validate(xml: Uint8Array): void {
    this.#withValid(xml, () => undefined);
  }

  /** Validates a document and returns its namespace-resolved tree; throws as `validate` does. */
  read(xml: Uint8Array): XmlElement {
    return this.#withValid(xml, (doc) => treeOf(doc.root));
  }

  #withValid<T>(xml: Uint8Array, use: (doc: XmlDocument) => T): T {
    let doc: XmlDocument;
    try {
      doc = XmlDocument.fromBuffer(xml, { option: PARSE_OPTIONS });
    } catch (error) {
      if (error instanceof XmlParseError) {
        const { line, reason } = describe(error.details);
        throw new MicromarketError('MM_ERR_XML_MALFORMED', [reason], { line });
      }
      throw error;
    }
    try {
      this.#validator.validate(doc);
      return use(doc);
    } catch (error) {
      if (error instanceof XmlValidateError) {
        const { line, reason } = describe(error.details);
        throw new MicromarketError('MM_ERR_XML_INVALID', [reason], { line });
      }
      throw error;
    } finally {
      doc.dispose();
    }
  }

  dispose(): void {
    this.#validator.dispose();
  }
}
