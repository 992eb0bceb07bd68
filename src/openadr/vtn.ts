import { parseDuration } from '../calendar/duration.js';
import type { EiResponse } from '../xml/payloads/index.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';

/**
 * micromarket as an OpenADR 2.0b VTN. The vtnID is not all lowercase: OpenLEADR's VEN treats such
 * an ID as invalid and opts out of every event.
 */
export const VTN_ID = 'MICROMARKET_VTN';

/** How often a pull VEN is asked to poll; OpenADR's certification harness defaults to 10 s. */
export const POLL_FREQUENCY = parseDuration('PT10S');

/** The generic answer (oadrResponse) with a code, for what has no message of its own and for refusals. */
export function oadrResponse(eiResponse: EiResponse, venID?: string): OadrMessage {
  return { kind: 'oadrResponse', value: { eiResponse, ...(venID !== undefined ? { venID } : {}) } };
}
