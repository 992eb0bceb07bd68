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

  it('recognises its errors by name as well as by class', () => {
    expect(isMicromarketError(new MicromarketError('MM_ERR_INTERNAL'))).toBe(true);
    expect(isMicromarketError(Object.assign(new Error('x'), { name: 'MicromarketError' }))).toBe(true);
    expect(isMicromarketError(new Error('x'))).toBe(false);
  });
});
