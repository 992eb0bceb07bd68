/** A PowerMatcher device agent over the remote-agent websocket protocol, for the demo's battery and EV. */
import WebSocket from 'ws';
import { bidMessage, type MarketBasis } from '../powermatcher/messages.js';

interface Update { payloadType: string; payload: { bidNumber?: number; priceValue?: number; marketBasis?: MarketBasis } }

export class PowerMatcherAgent {
  #updates: Update[] = [];
  #waiters: Array<(u: Update) => void> = [];
  #bidNumber = 0;
  basis: MarketBasis | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const update = JSON.parse(data.toString()) as Update;
      if (update.payloadType === 'CLUSTERINFO') this.basis = update.payload.marketBasis;
      this.#updates.push(update);
      for (const wake of this.#waiters.splice(0)) wake(update);
    });
  }

  static async connect(url: string, agentId: string, token: string): Promise<PowerMatcherAgent> {
    const socket = new WebSocket(`${url}/powermatcher/websocket?agentId=${encodeURIComponent(agentId)}&connectionId=demo&token=${encodeURIComponent(token)}`);
    const agent = new PowerMatcherAgent(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    while (!agent.basis) await agent.#next();
    return agent;
  }

  #next(timeoutMs = 10_000): Promise<Update> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message from the PowerMatcher endpoint')), timeoutMs);
      this.#waiters.push((u) => { clearTimeout(timer); resolve(u); });
    });
  }

  /** Sends a bid; resolves with its number once a price for it came back (the bid stands in the market then). */
  async bid(demand: Float64Array): Promise<number> {
    const number = ++this.#bidNumber;
    const seen = this.#updates.length;
    this.socket.send(bidMessage(this.basis!, number, demand));
    await this.priceAfter(seen, number);
    return number;
  }

  /** The price of the first PRICE_UPDATE for bid `number` received after the first `seen` messages. */
  async priceAfter(seen: number, number: number): Promise<number> {
    for (let i = seen; ; i++) {
      while (i >= this.#updates.length) await this.#next();
      const u = this.#updates[i]!;
      if (u.payloadType === 'PRICE_UPDATE' && u.payload.bidNumber === number) return u.payload.priceValue!;
    }
  }

  /** Messages received so far (a mark for priceAfter). */
  get received(): number {
    return this.#updates.length;
  }

  close(): void {
    this.socket.close();
  }
}
