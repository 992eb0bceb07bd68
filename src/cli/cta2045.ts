import { basicFrame, describe, opcodeOf, operationalStates, type Operand, encodeDuration, encodeMessage, encodePowerLevel, encodeRelativePrice, fromHex, hex, messageTypes } from '../../adapters/cta2045/index.js';
import { clockOptions, clockUsage } from './clock.js';
import { UsageError, type Command } from './command.js';
import { runBridge, runEmulator } from './cta2045-devices.js';

type Values = Record<string, string | boolean | string[] | undefined>;

const oneOf = (name: string, value: unknown, words: readonly string[]): number => {
  const i = words.indexOf(String(value));
  if (i < 0) throw new UsageError(`--${name} must be one of ${words.join(', ')}, not ${String(value)}`);
  return i;
};

function number(name: string, value: unknown, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, not ${String(value)}`);
  return n;
}

/** The second byte of a Basic DR command, from the options its operand needs. */
function operand(kind: Operand, values: Values): number {
  switch (kind) {
    case 'duration': return values.duration === undefined ? 0 : encodeDuration(number('duration', values.duration, 0, Number.MAX_SAFE_INTEGER));
    case 'relative price': return encodeRelativePrice(number('price', values.price, 0, 1e6));
    case 'power level': return encodePowerLevel(number('percent', values.percent, 0, 100), values.produce === true);
    case 'operational state': return number('value', values.value, 0, operationalStates.length - 1);
    case 'app NAK reason': return number('reason', values.reason, 0, 255);
    case 'opcode': {
      const named = opcodeOf(String(values.opcode))?.[0];
      return named ?? number('opcode', values.opcode, 0, 255);
    }
    case 'grid guidance': return oneOf('value', values.value, ['bad', 'neutral', 'good']);
    case 'communication status': return oneOf('value', values.value, ['none', 'good', 'poor']);
    case 'override': return oneOf('value', values.value, ['off', 'on']);
    case 'time': return number('day', values.day, 0, 6) * 32 + number('hour', values.hour, 0, 23);
    case 'reboot': return oneOf('value', values.value ?? 'soft', ['soft', 'hard']);
    case 'none': return 0;
  }
}

function encode(name: string, values: Values): Uint8Array {
  if (name === 'supported-query') {
    const type = oneOf('type', values.type, ['basic', 'intermediate', 'data-link']);
    return encodeMessage([messageTypes.basic, messageTypes.intermediate, messageTypes.dataLink][type]!, new Uint8Array(0));
  }
  if (name === 'max-payload-query') return encodeMessage(messageTypes.dataLink, Uint8Array.of(0x18, 0x00));
  const found = opcodeOf(name);
  if (!found) throw new UsageError(`unknown command ${name}; see micromarket cta2045 --help`);
  return basicFrame(found[0], operand(found[1].operand, values));
}

export const cta2045Command: Command = {
  name: 'cta2045',
  summary: 'CTA-2045: encode and decode frames, bridge devices to the markets, emulate a water heater',
  usage: `Usage: micromarket cta2045 encode COMMAND [options]
       micromarket cta2045 decode HEX
       micromarket cta2045 bridge --ven ID --device ID=ADDRESS[,rated-kw=KW] [--device ...] [options]
       micromarket cta2045 emulate --listen tcp://HOST:PORT|unix:PATH | --serial PATH [options]

encode prints a CTA-2045 frame in hex (check bytes included); decode prints a frame as JSON: frame
kind, message type, opcodes, meaning, decoded values, whether the checksum holds, and, for a frame a
receiver would refuse, the link NAK it answers with.

Basic DR commands and their options:
  shed, end-shed, critical-peak, grid-emergency, load-up, time-remaining   [--duration SECONDS]
                         (2 x code^2 s, rounded to nearest; no --duration: unknown)
  present-price, next-price      --price RATIO (price / average price)
  power-level                    --percent P [--produce]
  grid-guidance                  --value bad|neutral|good
  comm-status                    --value none|good|poor
  customer-override              --value off|on
  op-state-query, sleep, wake
  op-state                       --value CODE (0-${operationalStates.length - 1})
  app-ack                        --opcode COMMAND|CODE (the opcode acknowledged)
  app-nak                        --reason CODE
  time-sync                      --day 0-6 (0 = Sunday) --hour 0-23
  reboot                         --value soft|hard
Link commands:
  supported-query                --type basic|intermediate|data-link
  max-payload-query

bridge runs the UCM bridge: an OpenADR VEN (the party --ven) that commands the devices from the
events of the markets it is enrolled in, reports their operational state and turns a customer
override into an opt-out (docs/adapters/cta2045.md). A device ADDRESS is tcp://HOST:PORT,
unix:PATH or a serial device path (set to 19200 8N1 beforehand, e.g. with stty).
  --service URL          the micromarket service (default: $MICROMARKET_URL or http://127.0.0.1:8080)
  --token-file FILE      the VEN's token, scopes register and report (default: $MICROMARKET_TOKEN)
  --client-id ID         or client credentials, the secret in $MICROMARKET_CLIENT_SECRET
  --enroll URI           enrol in this market at start (repeatable; needs the enroll scope)
  --state-period S       how often each device's operational state is asked and reported (default: 60)
  --tick-ms N            how often the bridge looks at its schedule (default: 1000)

emulate runs an emulated electric water heater (190 L, 4.5 kW) as a CTA-2045 device. On stdin it
takes the customer's actions, each answered with the heater's state as JSON on stdout:
"override on", "override off", "draw LITRES" (hot water drawn now), "status".
  --setpoint C           the temperature it keeps in normal operation (default: 55)
  --draw-lph L           hot water drawn, litres per hour (default: 0)
  --step-ms N            how often the tank model is advanced (default: 1000)

Both: --log-level LEVEL (default: info), and the clock options:
${clockUsage}

Examples:
  micromarket cta2045 encode shed --duration 1800      → 08 01 00 02 01 1E CF 5B
  micromarket cta2045 decode "08 01 00 02 12 00 D8 5F"
  micromarket cta2045 emulate --listen tcp://127.0.0.1:7045
  micromarket cta2045 bridge --ven home-ucm --device wh-1=tcp://127.0.0.1:7045,rated-kw=4.5`,
  options: {
    duration: { type: 'string' },
    price: { type: 'string' },
    percent: { type: 'string' },
    produce: { type: 'boolean' },
    value: { type: 'string' },
    reason: { type: 'string' },
    opcode: { type: 'string' },
    day: { type: 'string' },
    hour: { type: 'string' },
    type: { type: 'string' },
    ven: { type: 'string' },
    device: { type: 'string', multiple: true },
    enroll: { type: 'string', multiple: true },
    service: { type: 'string' },
    'token-file': { type: 'string' },
    'client-id': { type: 'string' },
    'state-period': { type: 'string' },
    'tick-ms': { type: 'string' },
    listen: { type: 'string' },
    serial: { type: 'string' },
    setpoint: { type: 'string' },
    'draw-lph': { type: 'string' },
    'step-ms': { type: 'string' },
    'log-level': { type: 'string' },
    ...clockOptions,
  },
  allowPositionals: true,
  async run(values, positionals) {
    const [action, argument, ...rest] = positionals;
    if (action === 'encode' && argument) {
      process.stdout.write(`${hex(encode(argument, values))}\n`);
      return 0;
    }
    if (action === 'decode' && argument) {
      let bytes: Uint8Array;
      try {
        bytes = fromHex([argument, ...rest].join(' '));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      process.stdout.write(`${JSON.stringify(describe(bytes), null, 2)}\n`);
      return 0;
    }
    if (action === 'bridge' && argument === undefined) return runBridge(values);
    if (action === 'emulate' && argument === undefined) return runEmulator(values);
    throw new UsageError('cta2045 needs encode COMMAND, decode HEX, bridge or emulate');
  },
};
