/**
 * What the protocols above the kernel report for the operator's views (GET /healthz, /metrics, the
 * dashboard): each view is filled in by its protocol and read without knowing it.
 */
import type { MarketRules } from '../terms/rules.js';

export type IntertieState = 'joining' | 'linked' | 'islanded';

/** An intertie's health, under `intertie-status/<child>`: written when it changes, so it is also its history's last event. */
export interface IntertieStatus {
  market: string;
  parent: string;
  state: IntertieState;
  since: number;
  reason?: string;
}

/** An intertie's status with what it carried since the service started, for /metrics. */
export interface IntertieReading extends IntertieStatus {
  /** The last flow placed (child units per interval; negative: exported) and the parent price behind it. */
  flow?: number;
  parentPrice?: number;
  /** Intervals that cleared islanded. */
  islandedIntervals: number;
}

/** An OpenADR event as the operator sees it, with the VEN's answer to it. */
export interface EventView {
  readonly venID: string;
  readonly eventID: string;
  readonly marketID: string;
  readonly interval: number;
  readonly price: number;
  readonly level: number;
  readonly dispatch: number;
  readonly status: string;
  readonly optType: string | null;
  readonly resourcesOptedOut: string[];
}

/** A device (a resource a VEN reports on) with its latest readings. */
export interface DeviceView {
  readonly venID: string;
  readonly resourceID: string;
  readonly state?: number;
  readonly online?: boolean;
  readonly manualOverride?: boolean;
  readonly watts?: number;
  readonly at: number;
}

/** What the VENs were told and reported, read once for one view. */
export interface ProtocolReadings {
  /** The latest events, newest first. */
  readonly events: EventView[];
  readonly devices: DeviceView[];
  /** What a party delivered in an interval of a market by its power telemetry (mean, market units), or null without readings. */
  delivered(partyID: string, rules: MarketRules, interval: number): number | null;
}
