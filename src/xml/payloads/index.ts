import type { ElementCodec, ValueOf } from '../codec.js';
import { eiResponse } from './ei.js';
import {
  availPayloads, marketContextPayloads, quotePayloads, registrationPayloads, tenderPayloads, transactionPayloads,
} from './ei-payloads.js';
import { enrollmentPayloads } from './enrollment.js';
import { oadrPayload } from './oadr.js';

/**
 * Every document root micromarket reads or writes, by its local name. `eiResponse` stands alone
 * as the answer to a document that could not be read as any payload; `oadrPayload` is the
 * OpenADR 2.0b envelope around each of its messages.
 */
export const payloads = {
  ...registrationPayloads,
  ...enrollmentPayloads,
  ...marketContextPayloads,
  ...quotePayloads,
  ...tenderPayloads,
  ...transactionPayloads,
  ...availPayloads,
  eiResponse,
  oadrPayload,
} satisfies Record<string, ElementCodec<unknown>>;

export type PayloadName = keyof typeof payloads;
export type PayloadBody<N extends PayloadName> = ValueOf<(typeof payloads)[N]>;
/** A decoded document: its root's name and its typed content. */
export type Payload = { [N in PayloadName]: { name: N; body: PayloadBody<N> } }[PayloadName];
export type EiResponse = PayloadBody<'eiResponse'>;

/** A success answer to the request `requestID` (EI and OpenADR alike). */
export const ok = (requestID: string, description = 'OK'): EiResponse => ({ responseCode: '200', responseDescription: description, requestID });

/** The requestID a payload carries or answers, if any. */
export function requestIdOfPayload(payload: Payload): string {
  const body = payload.body as { requestID?: string; eiResponse?: { requestID: string } };
  return body.requestID ?? body.eiResponse?.requestID ?? '';
}
