import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue, isMicromarketError, MicromarketError } from '../src/errors.js';

const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it.each(Object.entries(errorCatalogue))('%s is keyed by its own code, has a three-digit EI code and is documented', (key, def) => {
    expect(def.code).toBe(key);
    expect(def.responseCode).toMatch(/^[1-5]\d\d$/);
    expect(docs).toContain(`\`${key}\``);
  });

  it('formats arguments into the message and keeps the line apart', () => {
    const error = new MicromarketError('MM_ERR_XML_INVALID', ['bad side'], { line: 24 });
    expect(error.message).toBe('line 24: not valid: bad side');
    expect(error.reason).toBe('not valid: bad side');
    expect(error.line).toBe(24);
    expect(error.status).toBe(400);
  });

  it('quotes at most 200 characters of a value and 900 of a reason, so code, line and reason fit a responseDescription (1024)', () => {
    const quoted = new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['tender', 'x'.repeat(900_000)]);
    expect(quoted.reason).toBe(`no tender ${'x'.repeat(199)}… for this party`);
    const rebuilt = new MicromarketError('MM_ERR_XML_INVALID', [], { line: 1_000_000, reason: `The value '${'y '.repeat(450_000)}' is not accepted` });
    expect(rebuilt.reason).toHaveLength(900);
    const longestCode = Math.max(...Object.keys(errorCatalogue).map((c) => c.length));
    expect(`${'M'.repeat(longestCode)}: ${rebuilt.message}`.length).toBeLessThanOrEqual(1024);
  });

  it('recognises its errors by name as well as by class', () => {
    expect(isMicromarketError(new MicromarketError('MM_ERR_INTERNAL'))).toBe(true);
    expect(isMicromarketError(Object.assign(new Error('x'), { name: 'MicromarketError' }))).toBe(true);
    expect(isMicromarketError(new Error('x'))).toBe(false);
  });
});
