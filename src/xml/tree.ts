import { XmlCData, XmlElement as DomElement, XmlText } from 'libxml2-wasm';

/**
 * A namespace-resolved element. Names are (namespace URI, local name) pairs, so a document means
 * the same whatever prefixes it uses, or a default namespace.
 */
export interface XmlElement {
  readonly ns: string;
  readonly name: string;
  /** Attributes other than namespace declarations, keyed `{uri}local` when namespaced. */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated character data (trimmed), empty for element-only content. */
  readonly text: string;
}

/**
 * Copies an element of the document libxml2 parsed and validated into a plain tree. Reading the
 * validated document itself, rather than parsing the text a second time with another parser,
 * halves the cost of a read and means the tree is exactly what the schema checked: two parsers
 * can disagree about a document, and the difference is where attacks on validators live.
 */
export function treeOf(element: DomElement): XmlElement {
  const children: XmlElement[] = [];
  let text = '';
  for (let node = element.firstChild; node; node = node.next) {
    if (node instanceof DomElement) children.push(treeOf(node));
    else if (node instanceof XmlText || node instanceof XmlCData) text += node.content;
  }
  const attrs: Record<string, string> = {};
  for (const attr of element.attrs) attrs[attr.namespaceUri ? `{${attr.namespaceUri}}${attr.name}` : attr.name] = attr.value;
  return { ns: element.namespaceUri, name: element.name, attrs, children, text: text.trim() };
}
