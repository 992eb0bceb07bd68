import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MicromarketError } from '../../src/errors.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { XmlReadPool } from '../../src/xml/read-pool.js';
import { refusal } from '../support/refusal.js';
import { schemaSet } from '../support/schemas.js';

const dir = (kind: string) => new URL(`../fixtures/${kind}/`, import.meta.url);
const load = (kind: string) => readdirSync(dir(kind)).filter((f) => f.endsWith('.xml')).sort()
  .map((file) => Buffer.from(readFileSync(new URL(file, dir(kind)))));
const valid = load('valid');
const invalid = load('invalid');
const pipeline = new XmlPipeline(schemaSet());
const pool = new XmlReadPool(pipeline.limits, 2);
afterAll(() => pool.close());

describe('XmlReadPool', () => {
  it('answers each of many documents sent in one turn with its own payload or error, as the inline pipeline does', async () => {
    // 100 documents in one turn: several batches over two workers, valid and invalid interleaved.
    const documents = Array.from({ length: 100 }, (_, i) => (i % 3 === 2 ? invalid[i % invalid.length]! : valid[i % valid.length]!));
    const outcomes = await Promise.allSettled(documents.map((d) => pool.read(d)));
    outcomes.forEach((outcome, i) => {
      if (i % 3 === 2) {
        expect(outcome.status, `document ${i}`).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as MicromarketError;
        const expected = refusal(pipeline, documents[i]!.toString('utf8'));
        expect(error).toBeInstanceOf(MicromarketError);
        expect({ code: error.code, line: error.line, reason: error.reason }).toEqual({ code: expected.code, line: expected.line, reason: expected.reason });
      } else {
        expect(outcome, `document ${i}`).toEqual({ status: 'fulfilled', value: pipeline.read(documents[i]!) });
      }
    });
  });

  it('keeps answering documents sent in later turns', async () => {
    for (const document of valid) expect(await pool.read(document)).toEqual(pipeline.read(document));
  });
});
