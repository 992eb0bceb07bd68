/**
 * Leases: the exclusive right of one service instance to change a named thing (a market), so
 * commands on it are serialised across instances. Leases only keep instances from doing work twice;
 * correctness does not rest on them, since a market's log entries are appended with `append`
 * (each needs its predecessor and refuses to overwrite), so a holder whose lease lapsed cannot
 * commit over another's work.
 */
export interface LeaseHolder {
  /** Another instance asks for the lease: release it as soon as the work in progress is done. */
  wanted(): void;
  /** The lease lapsed (renewal failed): it is no longer ours. */
  lost(): void;
}

export interface Leases {
  /** No other instance can write this store: every lease is held from the start. */
  readonly exclusive: boolean;
  /** Resolves once this instance holds the lease, waiting for its holder to release it or lapse. */
  acquire(name: string, holder: LeaseHolder): Promise<void>;
  /** Takes the lease if it is free and nobody waits for it; never waits. */
  tryAcquire(name: string, holder: LeaseHolder): Promise<boolean>;
  release(name: string): Promise<void>;
  /** Releases every lease held. */
  close(): Promise<void>;
}

/** One process on the embedded store (its data directory is locked): every lease is granted at once. */
export const localLeases: Leases = {
  exclusive: true,
  acquire: async () => {},
  tryAcquire: async () => true,
  release: async () => {},
  close: async () => {},
};
