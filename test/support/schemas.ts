import { validateXML } from 'xmllint-wasm';
import { SchemaSet } from '../../src/xml/schema-set.js';

let shared: SchemaSet | undefined;
/** One compiled schema set for a whole test file. */
export function schemaSet(): SchemaSet {
  return (shared ??= SchemaSet.load());
}

/**
 * The second, independent oracle: xmllint-wasm validating against the same bundled files.
 * Returns the error lines (empty when valid). One call validates many documents.
 */
export async function xmllint(documents: ReadonlyArray<{ name: string; xml: string }>): Promise<Map<string, string[]>> {
  const set = schemaSet();
  const result = await validateXML({
    xml: documents.map((d) => ({ fileName: d.name, contents: d.xml })),
    schema: [{ fileName: set.entry, contents: set.files.get(set.entry)!.toString('utf8') }],
    preload: [...set.files].filter(([name]) => name !== set.entry).map(([fileName, bytes]) => ({ fileName, contents: bytes.toString('utf8') })),
  });
  const errors = new Map<string, string[]>(documents.map((d) => [d.name, []]));
  for (const e of result.errors) errors.get(e.loc?.fileName ?? '')?.push(`${e.loc?.lineNumber ?? 0}: ${e.message}`);
  return errors;
}
