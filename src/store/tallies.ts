/** How long a count lives after its last use (real time: it only bounds memory; windows are in the names). */
export const TALLY_TTL_MS = 60_000;

/** In-memory counts for the embedded store: one process, so nothing to share. */
export class Tallies {
  readonly #counts = new Map<string, { n: number; used: number }>();
  #swept = 0;

  count(name: string, now = Date.now()): number {
    // Sweep once a minute at most: the map holds what the last two minutes of requests named.
    if (now - this.#swept > TALLY_TTL_MS) {
      for (const [key, c] of this.#counts) if (now - c.used > TALLY_TTL_MS) this.#counts.delete(key);
      this.#swept = now;
    }
    const c = this.#counts.get(name);
    if (c) {
      c.used = now;
      return ++c.n;
    }
    this.#counts.set(name, { n: 1, used: now });
    return 1;
  }
}
