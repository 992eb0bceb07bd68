/**
 * The CTA-2045 adapter's public surface: what the CLI and the demo start (the UCM bridge, the
 * emulated water heater, the streams to devices) and the frame codec `micromarket cta2045` speaks.
 */
export { basicFrame, describe, opcodeOf, operationalStates, type Operand } from './basic-dr.js';
export { UcmBridge, type BridgeDevice, type BridgeOptions, type DeviceStatus } from './bridge.js';
export { encodeDuration, encodeMessage, encodePowerLevel, encodeRelativePrice, fromHex, hex, messageTypes } from './codec.js';
export { listenAt, openDevice, openSerial, parseAddress, type DeviceAddress } from './streams.js';
export { defaultTank, EmulatedWaterHeater, Tank, type TankSpec } from './water-heater.js';
