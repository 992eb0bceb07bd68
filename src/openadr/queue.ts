/**
 * VTN-initiated messages waiting for a pull VEN's next poll (re-registration, cancellation of its
 * registration), oldest first. A poll takes one and deletes it in the commit before its answer.
 */
import type { Instant } from '../calendar/instant.js';
import { timePart } from '../store/collection.js';
import type { Store, WriteOp } from '../store/store.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';
import { oadrCollections } from './records.js';

export interface QueuedMessage {
  message: OadrMessage;
  queuedAt: Instant;
}

/** The write that queues a message for a VEN; `tag` tells apart messages of one kind queued at the same instant. */
export function enqueue(venID: string, message: OadrMessage, now: Instant, tag = ''): WriteOp {
  const key = oadrCollections.oadrQueue.key(venID, `${timePart(now)}-${message.kind}${tag ? `-${tag}` : ''}`);
  return oadrCollections.oadrQueue.put(key, { message, queuedAt: now } satisfies QueuedMessage);
}

/** The VEN's oldest queued message and the write that removes it, if it has one. */
export async function dequeue(store: Store, venID: string): Promise<{ message: OadrMessage; remove: WriteOp } | undefined> {
  const [first] = await oadrCollections.oadrQueue.list(store, [venID], undefined, 1);
  if (!first) return undefined;
  return { message: first[1]!.message, remove: oadrCollections.oadrQueue.del(first[0]) };
}
