/**
 * Cuts a CTA-2045 byte stream into frames. Frames carry no start marker: a frame begins with 06
 * (link ACK), 15 (link NAK) or a message type's first byte (08, 09), and a message's length field
 * says where it ends. What cannot begin a frame is an invalid byte; a message that does not
 * complete within tML is a message timeout. Both are answered with a link NAK by the link layer.
 */
export type Cut =
  | { readonly kind: 'frame'; readonly bytes: Uint8Array }
  | { readonly kind: 'invalid'; readonly reason: number };

export class Framer {
  #buffer = new Uint8Array(0);
  #started = 0;

  /** `now` in ms: when the first byte of the pending frame arrived decides its timeout. */
  constructor(private readonly messageTimeoutMs: number, private readonly now: () => number = Date.now) {}

  /** Takes bytes in; returns the complete frames and the refusals, in order. */
  push(chunk: Uint8Array): Cut[] {
    if (this.#buffer.length === 0) this.#started = this.now();
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    this.#buffer = joined;
    const cuts: Cut[] = [];
    for (;;) {
      const b = this.#buffer;
      if (b.length === 0) break;
      let size: number | undefined;
      if (b[0] === 0x06 || b[0] === 0x15) size = 2;
      else if (b[0] === 0x08 || b[0] === 0x09) size = b.length >= 4 ? ((b[2]! << 8) | b[3]!) + 6 : undefined;
      else {
        // Not the start of any frame: refuse the byte and look at the next one.
        cuts.push({ kind: 'invalid', reason: 0x01 });
        this.#take(1);
        continue;
      }
      if (size === undefined || b.length < size) break;
      cuts.push({ kind: 'frame', bytes: b.slice(0, size) });
      this.#take(size);
    }
    return cuts;
  }

  /** Drops a pending partial message that has waited longer than tML; true if it did. */
  expire(): boolean {
    if (this.#buffer.length === 0 || this.now() - this.#started < this.messageTimeoutMs) return false;
    this.#buffer = new Uint8Array(0);
    return true;
  }

  #take(n: number): void {
    this.#buffer = this.#buffer.slice(n);
    this.#started = this.now();
  }
}
