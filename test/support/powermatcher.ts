import WebSocket from 'ws';

/** The PowerMatcher market basis of the example home market: 101 steps over 0..1 EUR/kWh. */
export const basis101 = { commodity: 'electricity', currency: 'EUR', priceSteps: 101, minimumPrice: 0, maximumPrice: 1 };

export interface Frame { payloadType: string; payload: { bidNumber?: number; priceValue?: number; marketBasis?: unknown; clusterId?: string } }

/** A PowerMatcher agent over a real websocket: what it received, and a way to wait for the next message that matches. */
export class Agent {
  readonly received: Frame[] = [];
  #waiters: Array<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.received.push(frame);
      this.#waiters = this.#waiters.filter((w) => !(w.test(frame) && (w.resolve(frame), true)));
    });
  }

  static async connect(url: string, query: string): Promise<Agent> {
    const socket = new WebSocket(`${url}/powermatcher/websocket?${query}`);
    const agent = new Agent(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return agent;
  }

  /** The next message from now on that passes `test` (or, with `past`, the first one received so far). */
  next(test: (f: Frame) => boolean, past = false, timeoutMs = 5000): Promise<Frame> {
    const already = past ? this.received.find(test) : undefined;
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such message')), timeoutMs);
      this.#waiters.push({ test, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  price(bidNumber: number): Promise<number> {
    return this.next((f) => f.payloadType === 'PRICE_UPDATE' && f.payload.bidNumber === bidNumber).then((f) => f.payload.priceValue!);
  }

  bid(bidNumber: number, payload: Record<string, unknown>, marketBasis: unknown = basis101): void {
    this.socket.send(JSON.stringify({ payloadType: 'BID', payload: { marketBasis, bidNumber, ...payload } }));
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.socket.close();
    await closed;
  }
}
