/**
 * The second, independent XML reader of the tests: fast-xml-parser builds the same namespace-resolved
 * tree the service reads from libxml2's document, so a disagreement between the two parsers shows.
 */
import { XMLParser } from 'fast-xml-parser';
import type { XmlElement } from '../../src/xml/tree.js';

type RawNode = Record<string, unknown>;
type Scope = ReadonlyMap<string, string>;

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ROOT_SCOPE: Scope = new Map([['xml', XML_NS]]);
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Entity references are decoded here rather than by the parser: the documents reaching this point
 * were already checked by libxml2 (only predefined and character references remain), and decoding
 * only text that holds an `&` is far cheaper than the parser's general entity machinery.
 */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_, hex?: string, dec?: string, named?: string) =>
    named ? NAMED[named]! : String.fromCodePoint(parseInt(hex ?? dec!, hex ? 16 : 10)));
}

export class XmlTreeError extends Error {}

function resolve(qname: string, scope: Scope, useDefault: boolean): { ns: string; name: string } {
  const colon = qname.indexOf(':');
  if (colon < 0) return { ns: useDefault ? (scope.get('') ?? '') : '', name: qname };
  const prefix = qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined) throw new XmlTreeError(`namespace prefix ${prefix} is not declared`);
  return { ns, name: qname.slice(colon + 1) };
}

function convert(node: RawNode, scope: Scope): XmlElement {
  let tag = '';
  for (const key in node) if (key !== ':@') tag = key;
  const rawAttrs = node[':@'] as Record<string, string> | undefined;
  let inner = scope;
  const attrs: Record<string, string> = {};
  if (rawAttrs) {
    let declared: Map<string, string> | undefined;
    for (const key in rawAttrs) {
      if (key === 'xmlns' || key.startsWith('xmlns:')) {
        declared ??= new Map(scope);
        declared.set(key === 'xmlns' ? '' : key.slice(6), decodeEntities(rawAttrs[key]!));
      }
    }
    if (declared) inner = declared;
    for (const key in rawAttrs) {
      if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
      const { ns, name } = resolve(key, inner, false);
      attrs[ns ? `{${ns}}${name}` : name] = decodeEntities(rawAttrs[key]!);
    }
  }
  const { ns, name } = resolve(tag, inner, true);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of node[tag] as RawNode[]) {
    if ('#text' in child) text += decodeEntities(String(child['#text']));
    else if ('#cdata' in child) text += (child['#cdata'] as RawNode[]).map((c) => String(c['#text'] ?? '')).join('');
    else children.push(convert(child, inner));
  }
  return { ns, name, attrs, children, text };
}

/** Options tuned for speed: no path tracking, entities decoded lazily (see decodeEntities). */
function createParser(maxDepth: number): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
    jPath: false,
    maxNestedTags: maxDepth + 1,
  });
}

/** Parses well-formed XML into a namespace-resolved tree with fast-xml-parser. */
export class XmlTreeReader {
  readonly #parser: XMLParser;

  constructor(maxDepth: number) {
    this.#parser = createParser(maxDepth);
  }

  read(xml: string): XmlElement {
    const nodes = this.#parser.parse(xml) as RawNode[];
    const root = nodes.find((n) => !('#text' in n));
    if (!root) throw new XmlTreeError('the document has no root element');
    return convert(root, ROOT_SCOPE);
  }
}
