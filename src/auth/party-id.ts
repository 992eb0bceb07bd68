/**
 * One grammar for party IDs at every door (the token CLI, OAuth clients and fingerprints, tokens
 * presented, EI registration and OpenADR venIDs through the schemas' ei:PartyIDType): 1 to 128
 * letters, digits or . : @ _ -, which UUIDs, URNs and e-mail-like names fit. Store keys are safe
 * whatever they contain (Collection encodes them); the grammar keeps names legible and bounded.
 */
const PARTY_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

export const PARTY_ID_RULE = '1 to 128 letters, digits or . : @ _ -';

export const isPartyID = (id: unknown): id is string => typeof id === 'string' && PARTY_ID.test(id);
