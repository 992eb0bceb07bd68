import { siScaleCodes } from '../emix/product.js';
import { deviceCommands } from '../terms/signals.js';
import {
  decimal, element, enumeration, integer, list, many, one, opt, sequence, single, text, variant, type ContentCodec, type ValueOf,
} from './codec.js';
import { NS } from './namespaces.js';
import { durationValue, granularity, vavailability } from './payloads/calendar.js';
import { currency, marketContext } from './payloads/emix.js';

const r = <T>(name: string, content: ContentCodec<T>) => element(NS.rules, name, content);
const durationProp = (name: string) => r(name, single(durationValue));

/** The root element of a rule file in market-rules/ (schema: xsd/market-rules.xsd). */
export const ruleFile = r('market', sequence({
  id: one(r('id', text)),
  marketContext: one(marketContext),
  name: one(r('name', text)),
  resource: one(r('resource', sequence({
    name: one(r('name', text)),
    units: one(r('units', text)),
    siScaleCode: one(element(NS.scale, 'siScaleCode', enumeration(siScaleCodes))),
  }))),
  currency: one(currency),
  granularity: one(granularity),
  horizon: one(durationProp('horizon')),
  clearing: one(r('clearing', single(variant({
    continuous: r('continuous', sequence({
      gateClosure: opt(durationProp('gateClosure')),
      selfTrade: opt(r('selfTrade', enumeration(['cancel-resting', 'cancel-incoming']))),
    })),
    call: r('call', sequence({
      gateClosure: one(durationProp('gateClosure')),
      bids: one(r('bids', enumeration(['curve', 'step']))),
      priceSteps: opt(r('priceSteps', integer)),
    })),
  })))),
  prices: one(r('prices', sequence({
    floor: one(r('floor', decimal)), cap: one(r('cap', decimal)), tick: one(r('tick', decimal)), precision: opt(r('precision', integer)),
  }))),
  quantities: one(r('quantities', sequence({
    tick: one(r('tick', decimal)),
    minimum: opt(r('minimum', decimal)),
    maximum: opt(r('maximum', decimal)),
  }))),
  hours: opt(r('hours', list(variant({ vavailability, ics: r('ics', text) })))),
  enrollment: one(r('enrollment', enumeration(['open', 'approval']))),
  simpleLevels: opt(r('simpleLevels', sequence({
    moderate: one(r('moderate', decimal)),
    high: one(r('high', decimal)),
    special: one(r('special', decimal)),
  }))),
  deviceSignals: opt(r('deviceSignals', sequence({
    normal: opt(r('normal', enumeration(deviceCommands))),
    moderate: opt(r('moderate', enumeration(deviceCommands))),
    high: opt(r('high', enumeration(deviceCommands))),
    special: opt(r('special', enumeration(deviceCommands))),
    loadUpAtOrBelow: opt(r('loadUpAtOrBelow', decimal)),
    referencePrice: opt(r('referencePrice', decimal)),
  }))),
  intertie: opt(r('intertie', sequence({
    parent: one(variant({
      parent: r('parent', text),
      powermatcherParent: r('powermatcherParent', sequence({
        url: one(r('url', text)),
        agentId: one(r('agentId', text)),
        lead: opt(durationProp('lead')),
        minTimeBetweenBidUpdates: opt(durationProp('minTimeBetweenBidUpdates')),
      })),
      remoteParent: r('remoteParent', sequence({
        url: one(r('url', text)),
        marketContext: one(marketContext),
        clientSecretEnv: one(r('clientSecretEnv', text)),
      })),
    })),
    partyID: one(r('partyID', text)),
    importCapacity: one(r('importCapacity', decimal)),
    exportCapacity: one(r('exportCapacity', decimal)),
    lossFactor: one(r('lossFactor', decimal)),
    fee: one(r('fee', decimal)),
    derates: many(r('derate', sequence({
      when: one(vavailability),
      importCapacity: opt(r('importCapacity', decimal)),
      exportCapacity: opt(r('exportCapacity', decimal)),
      lossFactor: opt(r('lossFactor', decimal)),
      fee: opt(r('fee', decimal)),
    }))),
  }))),
}));

/** A rule file as written: its hours may still name .ics files. */
export type RuleFile = ValueOf<typeof ruleFile>;
