import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageTypes, sameType, type Frame } from '../../adapters/cta2045/codec.js';
import { CtaLink } from '../../adapters/cta2045/link.js';
import { defaultTank, EmulatedWaterHeater, Tank } from '../../adapters/cta2045/water-heater.js';

const timings = { ackDelayMs: 5, replyDelayMs: 10, ackTimeoutMs: 100, replyTimeoutMs: 500, retries: 3, retryGapMs: 50, messageTimeoutMs: 200 };
const capacityKjPerK = 190 * 4.186;

describe('the water heater model', () => {
  it('heats 15 K in the time its element takes (4.5 kW into 795 kJ/K), and stops at its setpoint', () => {
    const tank = new Tank(defaultTank, 40);
    let seconds = 0; // time the element was on
    do {
      tank.step(10, 'normal');
      if (tank.heating) seconds += 10;
    } while (tank.heating && seconds < 10_000);
    expect(seconds).toBeGreaterThanOrEqual((capacityKjPerK * 15) / 4.5);
    expect(seconds).toBeLessThan((capacityKjPerK * 15) / 4.5 + 120); // plus what the standby loss takes meanwhile
    expect(tank.temperatureC).toBeGreaterThanOrEqual(55);
    expect(tank.energyKwh).toBeCloseTo((seconds * 4.5) / 3600, 9);
  });

  it('loses 2.5 W per kelvin above ambient when idle, and mixes in inlet water for a draw', () => {
    const idle = new Tank(defaultTank, 55);
    idle.step(3600, 'normal');
    expect(55 - idle.temperatureC).toBeCloseTo((2.5 * 35 * 3600) / 1000 / capacityKjPerK, 9);
    expect(idle.heating).toBe(false);
    const drawn = new Tank(defaultTank, 55);
    drawn.step(0, 'normal', 50);
    expect(drawn.temperatureC).toBeCloseTo(55 + (50 / 190) * (10 - 55), 9);
  });

  it('keeps less heat when shed and more when loaded up', () => {
    const shed = new Tank(defaultTank, 45);
    shed.step(60, 'shed'); // 45 °C is above shed's 40 °C floor: no heating
    expect(shed.heating).toBe(false);
    const loadUp = new Tank(defaultTank, 55);
    loadUp.step(60, 'load-up'); // load up heats to 65 °C
    expect(loadUp.heating).toBe(true);
  });
});

describe('the emulated water heater on a CTA-2045 link (TCP)', () => {
  let server: Server;
  let heater!: EmulatedWaterHeater;
  let ucm: CtaLink;
  const clock = { now: Date.UTC(2026, 10, 23, 17) };
  const unsolicited: Array<Frame & { kind: 'message' }> = [];
  const basic = (op1: number, op2 = 0) => ucm.request(messageTypes.basic, Uint8Array.of(op1, op2), (f) => sameType(f.type, messageTypes.basic)
    && [0x03, 0x04, 0x13].includes(f.payload[0]!)).then((f) => Array.from(f.payload));

  beforeAll(async () => {
    server = createServer((socket) => { heater = new EmulatedWaterHeater(socket, () => clock.now, { timings }); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const socket: Socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    ucm = new CtaLink(socket, { supported: ['basic', 'dataLink'], timings, onMessage: (f) => unsolicited.push(f) });
  });
  afterAll(async () => {
    ucm.close();
    heater.close();
    await new Promise((r) => server.close(r));
  });

  it('answers an operational state query: idle normal at its setpoint', async () => {
    expect(await basic(0x12)).toEqual([0x13, 0]);
  });

  it('sheds for the duration sent, and runs curtailed once a draw takes it below its shed floor', async () => {
    expect(await basic(0x01, 30)).toEqual([0x03, 0x01]); // Shed, 2 × 30² = 1800 s
    expect(heater.mode).toBe('shed');
    expect(heater.modeUntil).toBe(clock.now + 1_800_000);
    heater.step(60, 80); // 80 L drawn: about 36 °C, under shed's 40 °C floor
    heater.step(1);
    expect(await basic(0x12)).toEqual([0x13, 2]); // Running Curtailed Grid
    clock.now += 1_800_000;
    heater.step(1);
    expect(heater.mode).toBe('normal'); // the shed's duration ran out
  });

  it('tells the UCM of a customer override at once, refuses commands meanwhile, and obeys again after it', async () => {
    await heater.override(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(unsolicited.map((f) => Array.from(f.payload))).toContainEqual([0x11, 1]);
    expect(await basic(0x0a, 60)).toEqual([0x04, 0x05]); // App NAK: customer override in effect
    expect(await basic(0x12)).toEqual([0x13, 12]); // Running, Opted Out: it heats as normal
    await heater.override(false);
    expect(await basic(0x17, 60)).toEqual([0x03, 0x17]); // Load Up, 2 h
    expect(heater.mode).toBe('load-up');
    expect(await basic(0x05)).toEqual([0x04, 0x01]); // an opcode no source defines: App NAK, not supported
  });
});
