/**
 * The tests' reference writer: the same documents the service writes, built with fast-xml-parser's
 * XMLBuilder, so the service's own writer (string concatenation, 6x faster) is checked against it.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { OutElement } from '../../src/xml/codec.js';
import { prefixOf } from '../../src/xml/namespaces.js';
import { qname } from '../../src/xml/writer.js';

type BuilderNode = Record<string, unknown>;

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  suppressEmptyNode: true,
  format: false,
});

function toBuilderNode(el: OutElement, used: Set<string>): BuilderNode {
  used.add(el.ns);
  for (const [ns] of el.attrs ?? []) used.add(ns);
  const content: BuilderNode[] = el.children?.length
    ? el.children.map((child) => toBuilderNode(child, used))
    : el.text !== undefined && el.text !== '' ? [{ '#text': el.text }] : [];
  const node: BuilderNode = { [qname(el)]: content };
  if (el.attrs?.length) node[':@'] = Object.fromEntries(el.attrs.map(([ns, name, value]) => [qname({ ns, name }), value]));
  return node;
}

/** Writes an element tree as an XML document, declaring on the root only the namespaces it uses. */
export function builderWriteXml(root: OutElement): string {
  const used = new Set<string>();
  const node = toBuilderNode(root, used);
  node[':@'] = { ...Object.fromEntries([...used].map((ns) => [`xmlns:${prefixOf.get(ns)}`, ns])), ...(node[':@'] as object | undefined) };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build([node]) as string}`;
}
