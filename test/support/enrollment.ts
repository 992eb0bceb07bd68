import type { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';

/** Enrolls the client's party in a market; where the market needs approval, `operator` approves it. */
export async function enrollApproved(client: MicromarketClient, operator: MicromarketClient, marketContext: string, at: number): Promise<void> {
  const { enrollmentStatus, enrollmentID } = await client.enroll(marketContext, 'consumer', at);
  if (enrollmentStatus === 'approvedEnrollment') return;
  await operator.call('EiEnroll', 'eiCreatedEnroll', { name: 'eiCreateEnroll', body: { requestID: '', enrollment: { applicationDate: at,
    enrolleePartyID: client.partyID, enrolleeType: 'consumer', enrollmentID: enrollmentID!, marketContext, enrollmentStatus: 'approvedEnrollment', resourceIDs: [] } } });
}

/** A one-interval EMIX product with a plain price and quantity, as a party tenders it. */
export const priced = (marketContext: string, side: 'buy' | 'sell', price: number, quantity: number, dtstart: number): Product => ({
  dtstart, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: price }, quantity } },
  uid: 'p', transactiveState: 'tender', marketContext, side,
});
