import { describe, expect, it } from 'vitest';
import { Collection } from '../../src/store/collection.js';
import { scratchStore } from '../support/scratch-store.js';

const requests = new Collection<string, [partyID: string, requestID: string]>('requests');
const scratch = scratchStore('collection');

describe('typed collection keys', () => {
  it('keep parts apart whatever they contain: party pb/x never reaches party pb\'s records', async () => {
    // Joined with '/' as they were, these two named the same key "pb/x/r-coll".
    await scratch().commit([requests.put(['pb', 'x/r-coll'], 'pb\'s answer'), requests.put(['pb/x', 'r-coll'], 'pb/x\'s answer')]);
    expect(await requests.get(scratch(), ['pb/x', 'r-coll'])).toBe('pb/x\'s answer');
    expect(await requests.get(scratch(), ['pb', 'x/r-coll'])).toBe('pb\'s answer');
    expect(await requests.values(scratch(), ['pb'])).toEqual(['pb\'s answer']);
    expect(await requests.values(scratch(), ['pb/x'])).toEqual(['pb/x\'s answer']);
  });

  it('escape the escape, so an encoded-looking part stays itself', async () => {
    await scratch().commit([requests.put(['a%2Fb', 'c'], 'percent'), requests.put(['a/b', 'c'], 'slash')]);
    expect(await requests.get(scratch(), ['a%2Fb', 'c'])).toBe('percent');
    expect(await requests.get(scratch(), ['a/b', 'c'])).toBe('slash');
    const keys = (await requests.list(scratch())).map(([key]) => requests.parts(key));
    expect(keys).toContainEqual(['a%2Fb', 'c']);
    expect(keys).toContainEqual(['a/b', 'c']);
  });

  it('read ordinary IDs as they are, so keys stay legible and sort as before', () => {
    expect(requests.key('urn:uuid:6f1c-4e', 'ven@example.org')).toBe('urn:uuid:6f1c-4e/ven@example.org');
    expect(requests.key('a/b%', 'c')).toBe('a%2Fb%25/c');
  });
});
