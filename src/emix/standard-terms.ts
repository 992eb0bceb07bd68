import type { Availability } from '../calendar/availability.js';
import type { Duration } from '../calendar/duration.js';
import type { Price, Side } from './product.js';

export const nonStandardTermsHandlings = ['mustAccept', 'ignore', 'mustUnderstand', 'reject'] as const;
export type NonStandardTermsHandling = (typeof nonStandardTermsHandlings)[number];

export const durationTerms = [
  'minimumResponseDuration', 'maximumResponseDuration', 'responseTime', 'minimumNotificationDuration',
  'maximumNotificationDuration', 'minimumRecoveryDuration', 'minimumDurationBetweenInvocations',
  'minimumRunDuration', 'maximumRunDuration', 'marketGranularity',
] as const;
export const countPerDurationTerms = ['maximumInvocationsPerDuration', 'minimumStartsPerDuration'] as const;
export const countTerms = ['maximumConsecutiveDurations'] as const;
export const scheduleTerms = ['availabilitySchedule', 'notificationSchedule', 'unavailabilitySchedule'] as const;
export const priceTerms = ['minimumEconomicRequirement', 'requiredStartupRemuneration', 'minimumRemunerationRate'] as const;

/** One EMIX standard term of a market context. */
export type Term =
  | { kind: (typeof durationTerms)[number]; value: Duration }
  | { kind: (typeof countPerDurationTerms)[number]; value: { count: number; duration: Duration } }
  | { kind: (typeof countTerms)[number]; value: number }
  | { kind: (typeof scheduleTerms)[number]; value: Availability }
  | { kind: (typeof priceTerms)[number]; value: Price };

export interface StandardTermsSet {
  terms: Term[];
  availability?: Availability;
  nonStandardTermsHandling: NonStandardTermsHandling;
  side?: Side;
}

/** The terms every product traded in a market context is subject to. */
export interface StandardTerms {
  marketContext: string;
  marketContextName?: string;
  termsSets: StandardTermsSet[];
  granularity?: Duration;
  tzid?: string;
  currency?: string;
  nonStandardTermsHandling?: NonStandardTermsHandling;
}
