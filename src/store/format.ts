/**
 * The layout of keys and records this version writes, stamped into every data directory and Redis
 * namespace it opens. There is no release yet, so no migration: a store stamped otherwise, or
 * holding data but no stamp (written before stamps), is refused with the reason.
 *   1 (unstamped): key parts joined with '/' as they were.
 *   2: key parts encoded so none can reach into another (Collection); enrollments keyed by market and party.
 *   3: first answers indexed by the time they were given (answers-by-time), so they expire.
 */
export const STORE_FORMAT = 3;

/** Checks a stamp read from a store that holds data; throws the refusal an operator can act on. */
export function checkFormat(where: string, stamp: string | undefined): void {
  const found = stamp === undefined ? 1 : Number(stamp.trim());
  if (found === STORE_FORMAT) return;
  throw new Error(`${where} holds data in store format ${Number.isInteger(found) ? found : JSON.stringify(stamp)}; this micromarket reads only format ${STORE_FORMAT}. `
    + 'There is no release yet, so no migration: give it an empty one, or run the micromarket that wrote it.');
}
