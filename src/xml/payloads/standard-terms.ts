import type { StandardTerms, StandardTermsSet, Term } from '../../emix/standard-terms.js';
import {
  countPerDurationTerms, countTerms, durationTerms, nonStandardTermsHandlings, priceTerms, scheduleTerms,
} from '../../emix/standard-terms.js';
import { element, enumeration, integer, list, many, one, opt, sequence, single, text, variant, type ContentCodec, type ElementCodec } from '../codec.js';
import { NS } from '../namespaces.js';
import { durationValue, granularity, tzid, vavailability } from './calendar.js';
import { currency, emix, marketContext, price, side } from './emix.js';

const count = element(NS.emix, 'count', integer);
const termContent = {
  duration: single(durationValue),
  countPerDuration: sequence({ count: one(count), duration: one(durationValue) }),
  count: single(count),
  schedule: single(vavailability),
  price: single(price),
};

/** Builds the variant members for every term name of one content kind. */
function members<K extends string, T>(names: readonly K[], content: ContentCodec<T>): Record<K, ElementCodec<T>> {
  return Object.fromEntries(names.map((n) => [n, emix(n, content)])) as Record<K, ElementCodec<T>>;
}

const term = variant({
  ...members(durationTerms, termContent.duration),
  ...members(countPerDurationTerms, termContent.countPerDuration),
  ...members(countTerms, termContent.count),
  ...members(scheduleTerms, termContent.schedule),
  ...members(priceTerms, termContent.price),
}) as ElementCodec<Term>;

const handling = emix('nonStandardTermsHandling', enumeration(nonStandardTermsHandlings));

const termsSet: ElementCodec<StandardTermsSet> = emix('standardTermsSet', sequence({
  terms: one(emix('terms', list(term))),
  availability: opt(vavailability),
  nonStandardTermsHandling: one(handling),
  side: opt(side),
}));

export const standardTerms: ElementCodec<StandardTerms> = emix('standardTerms', sequence({
  marketContext: one(marketContext),
  marketContextName: opt(emix('marketContextName', text)),
  termsSets: many(termsSet),
  granularity: opt(granularity),
  tzid: opt(tzid),
  currency: opt(currency),
  nonStandardTermsHandling: opt(handling),
}));
