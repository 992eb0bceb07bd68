/**
 * The long-running halves of `micromarket cta2045`: `bridge`, the UCM bridge in front of devices,
 * and `emulate`, an emulated water heater for it to drive. Both stop on SIGINT or SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { UcmBridge, type BridgeDevice, listenAt, openDevice, openSerial, parseAddress, type DeviceAddress, defaultTank, EmulatedWaterHeater, operationalStates } from '../../adapters/cta2045/index.js';
import { clockFrom } from './clock.js';
import { logLevel, untilStopped, UsageError } from './command.js';

type Values = Record<string, string | boolean | string[] | undefined>;

function positive(name: string, value: string | boolean | string[] | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a positive number, not ${String(value)}`);
  return n;
}

/** `--device ID=ADDRESS[,rated-kw=KW]`, as many as there are devices. */
function deviceSpec(text: string): { id: string; address: string; ratedKw?: number } {
  const match = /^([A-Za-z0-9_.-]{1,64})=([^,]+)(?:,rated-kw=([0-9.]+))?$/.exec(text);
  if (!match) throw new UsageError(`--device must be ID=ADDRESS[,rated-kw=KW], not ${text}`);
  return { id: match[1]!, address: match[2]!, ...(match[3] !== undefined ? { ratedKw: positive('device rated-kw', match[3], 0) } : {}) };
}

export async function runBridge(values: Values): Promise<number> {
  const venID = values.ven as string | undefined;
  if (!venID) throw new UsageError('cta2045 bridge needs --ven ID (its party at the service)');
  const specs = ((values.device as string[] | undefined) ?? []).map(deviceSpec);
  if (specs.length === 0) throw new UsageError('cta2045 bridge needs at least one --device ID=ADDRESS');
  const token = values['token-file'] !== undefined ? (await readFile(String(values['token-file']), 'utf8')).trim() : process.env.MICROMARKET_TOKEN;
  const secret = process.env.MICROMARKET_CLIENT_SECRET;
  const clientId = values['client-id'] as string | undefined;
  if (!token && !(clientId && secret)) throw new UsageError('cta2045 bridge needs --token-file FILE, $MICROMARKET_TOKEN, or --client-id ID with $MICROMARKET_CLIENT_SECRET');
  const log = pino({ level: logLevel(values['log-level']) }, pino.destination(2));
  const devices: BridgeDevice[] = specs.map((spec) => {
    let address: DeviceAddress;
    try {
      address = parseAddress(spec.address);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    return { id: spec.id, connect: () => openDevice(address), ...(spec.ratedKw !== undefined ? { ratedKw: spec.ratedKw } : {}) };
  });
  const clock = clockFrom(values);
  const bridge = await UcmBridge.start({
    service: { baseUrl: String(values.service ?? process.env.MICROMARKET_URL ?? 'http://127.0.0.1:8080'),
      ...(token ? { token } : { credentials: { clientId: clientId!, clientSecret: secret! } }) },
    venID, devices, log, enroll: (values.enroll as string[] | undefined) ?? [], statePeriodMs: positive('state-period', values['state-period'], 60) * 1000,
    ...(clock ? { clock } : {}),
  });
  await bridge.tick();
  bridge.run(positive('tick-ms', values['tick-ms'], 1000));
  process.stderr.write(`micromarket cta2045 bridge: VEN ${venID} with ${devices.map((d) => d.id).join(', ')}\n`);
  return untilStopped(() => bridge.close());
}

export async function runEmulator(values: Values): Promise<number> {
  const listen = values.listen as string | undefined;
  const serial = values.serial as string | undefined;
  if ((listen === undefined) === (serial === undefined)) throw new UsageError('cta2045 emulate needs --listen tcp://HOST:PORT|unix:PATH or --serial PATH');
  const clock = clockFrom(values) ?? Date.now;
  const log = pino({ level: logLevel(values['log-level']) }, pino.destination(2));
  const heater = new EmulatedWaterHeater(undefined, clock, { spec: { ...defaultTank, setpointC: positive('setpoint', values.setpoint, defaultTank.setpointC) } });
  const drawPerSecond = (values['draw-lph'] === undefined ? 0 : positive('draw-lph', values['draw-lph'], 0)) / 3600;
  let said: string;
  let close: () => Promise<void>;
  if (serial !== undefined) {
    const stream = openSerial(serial);
    heater.attach(stream);
    said = serial;
    close = async () => void stream.destroy();
  } else {
    let address;
    try {
      address = parseAddress(listen!);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (address.kind === 'serial') throw new UsageError('--listen takes tcp://HOST:PORT or unix:PATH; a serial device is --serial PATH');
    const server = await listenAt(address, (socket) => {
      log.info({ from: socket.remoteAddress ?? 'unix' }, 'cta2045 emulate: a UCM connected');
      heater.attach(socket);
    });
    const bound = server.address();
    said = typeof bound === 'object' && bound ? `tcp://${bound.address}:${bound.port}` : listen!;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  }
  // The tank runs in the emulator's clock; its state is logged whenever it changes.
  let last = clock();
  let seen = '';
  const timer = setInterval(() => {
    const now = clock();
    const seconds = (now - last) / 1000;
    last = now;
    heater.step(seconds, drawPerSecond * seconds);
    const state = `${heater.mode}/${operationalStates[heater.operationalState]}`;
    if (state !== seen) log.info({ mode: heater.mode, state: operationalStates[heater.operationalState], temperatureC: Number(heater.tank.temperatureC.toFixed(2)) }, 'cta2045 emulate: water heater');
    seen = state;
  }, positive('step-ms', values['step-ms'], 1000));
  // The customer at the device, on stdin: "override on", "override off", "draw LITRES", "status".
  const customer = createInterface({ input: process.stdin, terminal: false });
  customer.on('line', (line) => {
    const [word, value] = line.trim().split(/\s+/);
    if (word === 'override' && (value === 'on' || value === 'off')) void heater.override(value === 'on').catch(() => undefined);
    else if (word === 'draw' && Number(value) > 0) heater.draw(Number(value));
    else if (word !== 'status') return void process.stderr.write('commands: override on|off, draw LITRES, status\n');
    process.stdout.write(`${JSON.stringify({ mode: heater.mode, state: operationalStates[heater.operationalState], overridden: heater.overridden,
      temperatureC: Number(heater.tank.temperatureC.toFixed(2)), heating: heater.tank.heating, energyKwh: Number(heater.tank.energyKwh.toFixed(4)) })}\n`);
  });
  process.stderr.write(`micromarket cta2045 emulate: water heater on ${said}\n`);
  return untilStopped(async () => {
    customer.close();
    clearInterval(timer);
    heater.close();
    await close();
  });
}
