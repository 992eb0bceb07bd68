/**
 * The device side of the bridge on each transport an operator can name: a serial device path (a
 * real pseudo-terminal pair from socat, as a null-modem cable between two ports), and the
 * `cta2045 emulate` and `cta2045 bridge` commands as their own processes over TCP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDevice, openSerial, parseAddress } from '../../adapters/cta2045/streams.js';
import { UcmDevice } from '../../adapters/cta2045/ucm.js';
import { EmulatedWaterHeater } from '../../adapters/cta2045/water-heater.js';
import { TokenService } from '../../src/auth/tokens.js';
import { MicromarketClient } from '../../src/client/index.js';
import { clockArgs, spawnServe, stopProcess, type Instance } from '../support/instances.js';
import { freePort } from '../support/ports.js';
import { missing } from '../support/system.js';

const noSocat = missing('socat', 'socat', 'the CTA-2045 serial-line test');

const timings = { ackDelayMs: 5, replyDelayMs: 10, ackTimeoutMs: 200, replyTimeoutMs: 1000, retries: 2, retryGapMs: 50, messageTimeoutMs: 300 };
const cli = fileURLToPath(new URL('../../dist/src/cli/micromarket.js', import.meta.url));

/** Resolves with the first match of `pattern` in what the process writes to stderr. */
function said(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

describe('device addresses', () => {
  it('reads tcp, unix and serial addresses, and says what it expects of anything else', () => {
    expect(parseAddress('tcp://127.0.0.1:7045')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 7045 });
    expect(parseAddress('tcp://[::1]:7045')).toEqual({ kind: 'tcp', host: '::1', port: 7045 });
    expect(parseAddress('unix:/run/ucm.sock')).toEqual({ kind: 'unix', path: '/run/ucm.sock' });
    expect(parseAddress('/dev/ttyUSB0')).toEqual({ kind: 'serial', path: '/dev/ttyUSB0' });
    expect(parseAddress('serial:/dev/ttyS1')).toEqual({ kind: 'serial', path: '/dev/ttyS1' });
    expect(() => parseAddress('tcp://host:70000')).toThrow(/port must be 0 \(listening: any free port\) to 65535/);
    expect(() => parseAddress('ttyUSB0')).toThrow(/tcp:\/\/HOST:PORT, unix:PATH or the absolute path of a serial device/);
  });
});

describe.skipIf(noSocat)('over a serial line (a socat pseudo-terminal pair)', () => {
  let dir: string;
  let socat: ChildProcess;
  let heater: EmulatedWaterHeater;
  let ucm: UcmDevice;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-serial-'));
    socat = spawn('socat', [`pty,raw,echo=0,link=${join(dir, 'ucm')}`, `pty,raw,echo=0,link=${join(dir, 'sgd')}`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(existsSync(join(dir, 'ucm')) && existsSync(join(dir, 'sgd'))); i++) await new Promise((r) => setTimeout(r, 20));
    heater = new EmulatedWaterHeater(openSerial(join(dir, 'sgd')), Date.now, { timings });
    ucm = new UcmDevice('wh-serial', await openDevice(parseAddress(`serial:${join(dir, 'ucm')}`)), { timings });
  });
  afterAll(async () => {
    ucm?.close();
    heater?.close();
    socat?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('negotiates the maximum payload, sheds the heater for 30 minutes and reads its state, byte for byte through the ptys', async () => {
    await ucm.start();
    expect(ucm.online).toBe(true);
    expect(ucm.link.peerMaxPayload).toBe(128); // the emulator answers code 6
    const before = Date.now();
    expect(await ucm.command('shed', 1800)).toEqual({ ok: true });
    expect(heater.mode).toBe('shed');
    expect(heater.modeUntil! - before).toBeGreaterThanOrEqual(1_800_000);
    expect(await ucm.queryState()).toBe(4); // idle, curtailed
    // A relative price the device takes; an opcode it does not know is refused with App NAK 01.
    expect(await ucm.relativePrice('present', 2)).toEqual({ ok: true });
    expect(heater.relativePriceCode).toBe(101);
    expect(await ucm.command('end-shed', undefined)).toEqual({ ok: true });
    expect(heater.mode).toBe('normal');
  });
});

describe('micromarket cta2045 emulate and bridge, as processes', () => {
  let dir: string;
  let service: Instance;
  let emulator: ChildProcess;
  let bridge: ChildProcess;
  let tokens: TokenService;
  let address: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-cta-cli-'));
    tokens = await TokenService.forDataDir(dir);
    const clock = clockArgs(Date.UTC(2026, 10, 23, 12, 0), 1, Date.now());
    service = await spawnServe(await freePort(), ['--data', dir, ...clock]);
    emulator = spawn(process.execPath, [cli, 'cta2045', 'emulate', '--listen', 'tcp://127.0.0.1:0', '--log-level', 'warn', ...clock], { stdio: ['pipe', 'pipe', 'pipe'] });
    address = (await said(emulator, /water heater on (tcp:\/\/\S+)/))[1]!;
  });
  afterAll(async () => {
    if (bridge) await stopProcess(bridge, 'SIGTERM');
    if (emulator) await stopProcess(emulator, 'SIGTERM');
    if (service) await stopProcess(service.process, 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('emulate answers a UCM over TCP like the in-process heater', async () => {
    const ucm = new UcmDevice('probe', await openDevice(parseAddress(address)));
    try {
      expect(await ucm.command('load-up', 3600)).toEqual({ ok: true });
      expect(await ucm.queryState()).toBe(3); // running, heightened: 55 °C is below load up's 60
      expect(await ucm.command('end-shed', undefined)).toEqual({ ok: true });
    } finally {
      ucm.close();
    }
  });

  it('emulate takes the customer\'s override and hot-water draws on stdin, and tells the UCM of the override', async () => {
    const overrides: boolean[] = [];
    const ucm = new UcmDevice('probe', await openDevice(parseAddress(address)), { onOverride: (on) => overrides.push(on) });
    const answers: string[] = [];
    emulator.stdout!.on('data', (chunk: Buffer) => answers.push(...chunk.toString().trim().split('\n')));
    try {
      emulator.stdin!.write('draw 95\n'); // half the tank replaced by 10 °C water: about 32.5 °C, so it heats
      emulator.stdin!.write('override on\n');
      for (let i = 0; i < 100 && overrides.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(overrides).toEqual([true]);
      expect(await ucm.queryState()).toBe(12); // running, opted out
      const [draw, override] = answers.map((a) => JSON.parse(a) as { temperatureC: number; overridden: boolean });
      expect(draw!.temperatureC).toBeGreaterThan(32);
      expect(draw!.temperatureC).toBeLessThan(33);
      expect(override!.overridden).toBe(true);
      emulator.stdin!.write('override off\n');
      for (let i = 0; i < 100 && overrides.length === 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(overrides).toEqual([true, false]);
    } finally {
      ucm.close();
    }
  });

  it('bridge registers its VEN, drives the emulated heater and reports its state to the service', async () => {
    const token = await tokens.issue('home-ucm', ['register', 'enroll', 'report'], Date.now(), 3600);
    await writeFile(join(dir, 'ucm.token'), token);
    bridge = spawn(process.execPath, [cli, 'cta2045', 'bridge', '--service', service.base, '--ven', 'home-ucm', '--token-file', join(dir, 'ucm.token'), '--enroll', 'urn:micromarket:home',
      '--device', `wh-1=${address},rated-kw=4.5`, '--state-period', '60', '--log-level', 'warn', ...clockArgs(Date.UTC(2026, 10, 23, 12, 0), 1, Date.now())],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    await said(bridge, /VEN home-ucm with wh-1/);
    const res = await fetch(`${service.base}/telemetry/home-ucm?rID=wh-1.operatingState`, { headers: { authorization: `Bearer ${token}` } });
    const { points } = await res.json() as { points: Array<{ value: number; resourceID: string }> };
    // Running normally after End Shed at start, heating back up after the draw above: Running Normal (1), 4.5 kW.
    expect(points, JSON.stringify(points)).toEqual([expect.objectContaining({ value: 1, resourceID: 'wh-1' })]);
    const power = await (await fetch(`${service.base}/telemetry/home-ucm?rID=wh-1.power`, { headers: { authorization: `Bearer ${token}` } })).json() as { points: Array<{ value: number; watts: number }> };
    expect(power.points).toEqual([expect.objectContaining({ value: 4500, watts: 4500 })]);
    // Enrolled in the home market (open enrollment) at start.
    const enrollments = await new MicromarketClient({ baseUrl: service.base, partyID: 'home-ucm', token }).enrollments();
    expect(enrollments.enrollments.map((e) => [e.marketContext, e.enrollmentStatus])).toEqual([['urn:micromarket:home', 'approvedEnrollment']]);
  });

  it('bridge refuses a device it cannot read, with the forms it takes', async () => {
    const refused = spawn(process.execPath, [cli, 'cta2045', 'bridge', '--ven', 'x', '--device', 'wh=ttyUSB0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MICROMARKET_TOKEN: 't' } });
    const text = await new Promise<string>((resolve) => {
      let out = '';
      refused.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
      refused.once('exit', (code) => resolve(`${code}: ${out}`));
    });
    expect(text).toMatch(/^2: .*tcp:\/\/HOST:PORT, unix:PATH or the absolute path of a serial device/s);
  });
});
