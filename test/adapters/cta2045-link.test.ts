/** The CTA-2045 link layer over real TCP sockets: a UCM end and an SGD end, and raw peers that misbehave. */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { basicFrame } from '../../adapters/cta2045/basic-dr.js';
import { encodeMessage, fromHex, hex, messageTypes, sameType } from '../../adapters/cta2045/codec.js';
import { CtaLink, LinkError, type LinkOptions } from '../../adapters/cta2045/link.js';

const timings = { ackDelayMs: 5, replyDelayMs: 10, ackTimeoutMs: 100, replyTimeoutMs: 500, retries: 3, retryGapMs: 50, messageTimeoutMs: 200 };
const basic = messageTypes.basic;

const servers: Server[] = [];
const links: CtaLink[] = [];
afterEach(async () => {
  for (const link of links.splice(0)) link.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A TCP server whose every connection is handed to `accept`; resolves with a connected client socket. */
async function pair(accept: (socket: Socket) => void): Promise<Socket> {
  const server = createServer(accept);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  return socket;
}

const link = (socket: Socket, options: Partial<LinkOptions> = {}) => {
  const l = new CtaLink(socket, { supported: ['basic', 'dataLink'], timings, ...options });
  links.push(l);
  return l;
};

/** A raw peer: records what it receives and answers with `reply` (bytes, or nothing). */
async function rawPeer(reply: (received: Uint8Array, count: number) => Uint8Array | undefined = () => undefined) {
  const received: Uint8Array[] = [];
  const socket = await pair((peer) => peer.on('data', (chunk: Buffer) => {
    received.push(Uint8Array.from(chunk));
    const answer = reply(Uint8Array.from(chunk), received.length);
    if (answer) peer.write(answer);
  }));
  return { socket, received };
}

/** What a link answers to bytes a raw peer sends it. */
async function answerTo(...chunks: Uint8Array[]): Promise<string> {
  const heard: number[] = [];
  let raw!: Socket;
  const socket = await pair((peer) => {
    raw = peer;
    peer.on('data', (chunk: Buffer) => heard.push(...chunk));
  });
  link(socket);
  await new Promise((r) => setTimeout(r, 20));
  for (const chunk of chunks) raw.write(chunk);
  await new Promise((r) => setTimeout(r, timings.messageTimeoutMs + 150));
  return hex(Uint8Array.from(heard));
}

describe('CTA-2045 link layer', () => {
  it('carries a Basic DR command: link ACK, then the SGD\'s application reply, itself link-ACKed', async () => {
    const ucmSocket = await pair((socket) => {
      const sgd: CtaLink = link(socket, { onMessage: (frame) => {
        if (!sameType(frame.type, basic)) return;
        const op1 = frame.payload[0]!;
        // The SGD answers a query with its state (running curtailed), anything else with an App ACK.
        void sgd.send(basic, op1 === 0x12 ? Uint8Array.of(0x13, 0x02) : Uint8Array.of(0x03, op1));
      } });
    });
    const ucm = link(ucmSocket);
    const ack = await ucm.request(basic, Uint8Array.of(0x01, 0x1e), (f) => sameType(f.type, basic) && f.payload[0] === 0x03);
    expect(Array.from(ack.payload)).toEqual([0x03, 0x01]);
    const state = await ucm.request(basic, Uint8Array.of(0x12, 0x00), (f) => f.payload[0] === 0x13);
    expect(Array.from(state.payload)).toEqual([0x13, 0x02]);
  });

  it('asks which message types are supported and negotiates the maximum payload', async () => {
    const ucm = link(await pair((socket) => link(socket, { maxPayloadCode: 6 })));
    expect(await ucm.supports('basic')).toBe(true);
    expect(await ucm.supports('intermediate')).toBe(false); // NAK 06, no retry
    expect(ucm.peerMaxPayload).toBe(2);
    expect(await ucm.negotiate()).toBe(128);
  });

  it('NAKs what it cannot take, with the reason', async () => {
    const good = basicFrame(0x01, 0x1e);
    const badSum = good.slice();
    badSum[7] = badSum[7]! ^ 0xff;
    expect(await answerTo(good)).toBe('06 00');
    expect(await answerTo(badSum)).toBe('15 03');
    expect(await answerTo(encodeMessage(messageTypes.commissioning, Uint8Array.of(1, 2)))).toBe('15 06');
    expect(await answerTo(Uint8Array.of(0x42))).toBe('15 01');
    expect(await answerTo(encodeMessage(messageTypes.dataLink, new Uint8Array(200)))).toBe('15 02'); // over its 128 bytes
    // A message that stops arriving is dropped after tML and NAKed 05; the next one is read as usual.
    expect(await answerTo(good.subarray(0, 5))).toBe('15 05');
    expect(await answerTo(good.subarray(0, 3), good.subarray(3))).toBe('06 00');
  });

  it('sends again on a NAK, and gives up after the retries when nothing answers', async () => {
    const naked = await rawPeer((_, count) => (count === 1 ? fromHex('15 03') : fromHex('06 00')));
    await link(naked.socket).send(basic, Uint8Array.of(0x02, 0x00));
    expect(naked.received.map(hex)).toEqual([hex(basicFrame(0x02, 0x00)), hex(basicFrame(0x02, 0x00))]);

    const silent = await rawPeer();
    const started = Date.now();
    const failed = await link(silent.socket).send(basic, Uint8Array.of(0x01, 0x00)).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(LinkError);
    expect((failed as LinkError).nak).toBeUndefined();
    expect(silent.received.length).toBe(4); // the first attempt and 3 retries
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * timings.ackTimeoutMs + 3 * timings.retryGapMs);
  });

  it('waits for an application reply no longer than its timeout', async () => {
    const acksOnly = await rawPeer(() => fromHex('06 00'));
    const failed = await link(acksOnly.socket).request(basic, Uint8Array.of(0x12, 0x00), () => true).catch((e: unknown) => e);
    expect((failed as Error).message).toMatch(/no application reply within 500 ms/);
  });
});
