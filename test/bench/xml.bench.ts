/**
 * npm run bench:xml — cost of checking one EI tender, all figures from the same run on one core:
 *   - xmllint-wasm, one validateXML call per document (the named dependency, used as test oracle)
 *   - the persistent libxml2-wasm validator the service uses (guard + validate)
 *   - a parse-only baseline: fast-xml-parser tree + typed decode, no validation
 *   - the full read path: guard + validate + parse + decode (the tree copied from libxml2's document)
 *   - writing an eiCreatedTender answer with two transactions: fast-xml-parser's XMLBuilder beside
 *     the service's writer
 * Goal (issue 2): validation ≥ 10,000 tender documents/s with p99 added latency ≤ 2 ms.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { validateXML } from 'xmllint-wasm';
import { rejectHostile } from '../../src/xml/guard.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { payloads } from '../../src/xml/payloads/index.js';
import { SchemaSet } from '../../src/xml/schema-set.js';
import { writeXml } from '../../src/xml/writer.js';
import { builderWriteXml } from '../support/fxp-writer.js';
import { samples } from '../support/samples.js';
import { XmlTreeReader } from '../support/fxp-tree.js';
import { measure, table } from './stats.js';

const body = readFileSync(new URL('../../../test/fixtures/valid/eiCreateTender.xml', import.meta.url));
const xml = body.toString('utf8');
const compileStarted = performance.now();
const schemas = SchemaSet.load();
const compileMs = performance.now() - compileStarted;
const pipeline = new XmlPipeline(schemas);
const reader = new XmlTreeReader(pipeline.limits.maxDepth);

const schemaFiles = [...schemas.files];
const xmllint = await measure(20, () => validateXML({
  xml: [{ fileName: 'tender.xml', contents: xml }],
  schema: [{ fileName: schemas.entry, contents: schemas.files.get(schemas.entry)!.toString('utf8') }],
  preload: schemaFiles.filter(([n]) => n !== schemas.entry).map(([fileName, b]) => ({ fileName, contents: b.toString('utf8') })),
}));
const validator = await measure(50_000, () => {
  rejectHostile(xml, pipeline.limits);
  schemas.validate(body);
});
const parseOnly = await measure(50_000, () => payloads.eiCreateTender.decode(reader.read(body.toString('utf8'))));
const full = await measure(50_000, () => pipeline.read(body));
const answer = payloads.eiCreatedTender.encode({ ...samples.eiCreatedTender, transactions: [samples.eiCreatedTender.transactions[0]!, samples.eiCreatedTender.transactions[0]!] });
const builderWrite = await measure(50_000, () => builderWriteXml(answer));
const write = await measure(50_000, () => writeXml(answer));

const goalMet = validator.perSecond >= 10_000 && validator.p99Ms <= 2;
process.stdout.write(`micromarket bench:xml — ${body.length}-byte eiCreateTender, ${schemas.files.size} schema files
node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread
schema set compile (once, at start-up): ${compileMs.toFixed(1)} ms

${table([
  ['xmllint-wasm validateXML, one call per document', xmllint],
  ['persistent validator (guard + libxml2-wasm XsdValidator)', validator],
  ['parse-only baseline (fast-xml-parser + decode)', parseOnly],
  ['full read path (guard + validate + parse + decode)', full],
  ['write eiCreatedTender, fast-xml-parser XMLBuilder', builderWrite],
  ['write eiCreatedTender, service writer', write],
])}

validator vs xmllint-wasm per call: ${(xmllint.p50Ms / validator.p50Ms).toFixed(0)}x faster at p50
goal (validation >= 10000 docs/s, p99 added latency <= 2 ms): ${goalMet ? 'met' : 'MISSED'}
`);
