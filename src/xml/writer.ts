import { XMLBuilder } from 'fast-xml-parser';
import type { OutElement } from './codec.js';
import { prefixOf } from './namespaces.js';

type BuilderNode = Record<string, unknown>;

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  suppressEmptyNode: true,
  format: false,
});

function qname(el: OutElement): string {
  const prefix = prefixOf.get(el.ns);
  if (prefix === undefined) throw new Error(`no prefix for namespace ${el.ns}`);
  return `${prefix}:${el.name}`;
}

function toBuilderNode(el: OutElement, used: Set<string>): BuilderNode {
  used.add(el.ns);
  const content: BuilderNode[] = el.children
    ? el.children.map((child) => toBuilderNode(child, used))
    : el.text !== undefined && el.text !== '' ? [{ '#text': el.text }] : [];
  return { [qname(el)]: content };
}

/** Writes an element tree as an XML document, declaring on the root only the namespaces it uses. */
export function writeXml(root: OutElement): string {
  const used = new Set<string>();
  const node = toBuilderNode(root, used);
  node[':@'] = Object.fromEntries([...used].map((ns) => [`xmlns:${prefixOf.get(ns)}`, ns]));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build([node]) as string}`;
}
