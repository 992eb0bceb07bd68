import { Collection } from '../store/collection.js';
import type { Scope } from './tokens.js';

/** A TLS client certificate the operator mapped to a party. */
export interface FingerprintRecord {
  partyID: string;
  scopes: Scope[];
}

export interface ClientRecord {
  partyID: string;
  salt: string;
  hash: string;
  scopes: Scope[];
}

/** What authentication keeps in the Store. */
export const authCollections = {
  /** client_id (= partyID) → ClientRecord: OAuth2 client credentials */
  clients: new Collection<ClientRecord>('clients'),
  /** SHA-256 fingerprint of a client certificate (AB:CD:...) → FingerprintRecord */
  fingerprints: new Collection<FingerprintRecord>('fingerprints'),
} as const;
