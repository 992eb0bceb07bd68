import type { Interval, Item, Price, Product, StreamPayload, TemixPower } from '../../emix/product.js';
import { sides, siScaleCodes, transactiveStates } from '../../emix/product.js';
import {
  boolean, decimal, element, enumeration, list, many, one, opt, sequence, single, text, variant,
  type ContentCodec, type ElementCodec,
} from '../codec.js';
import { NS } from '../namespaces.js';
import { dtstart, durationProp, instant, uid } from './calendar.js';

export const emix = <T>(name: string, content: ContentCodec<T>) => element(NS.emix, name, content);
const power = <T>(name: string, content: ContentCodec<T>) => element(NS.power, name, content);

export const marketContext = emix('marketContext', text);
export const currency = emix('currency', text);
export const side = emix('side', enumeration(sides));

const priceValue = single(emix('value', decimal));
export const price: ElementCodec<Price> = variant({
  price: emix('price', priceValue),
  priceMultiplier: emix('priceMultiplier', priceValue),
  priceRelative: emix('priceRelative', priceValue),
});

export const siScaleCode = one(element(NS.scale, 'siScaleCode', enumeration(siScaleCodes)));

/** An item whose description and unit are fixed by its kind (RealPower in W, RealEnergy in Wh). */
function itemOf<T>(name: string, description: string, units: string, rest: ContentCodec<T>): ElementCodec<T> {
  const head = sequence({
    itemDescription: one(power('itemDescription', enumeration([description]))),
    itemUnits: one(power('itemUnits', enumeration([units]))),
  });
  const fixed = { itemDescription: description, itemUnits: units };
  return power(name, {
    decode: (el) => {
      head.decode({ ...el, children: el.children.slice(0, 2) });
      return rest.decode({ ...el, children: el.children.slice(2) });
    },
    encode: (value) => ({ children: [...head.encode(fixed).children!, ...rest.encode(value).children!] }),
  });
}

export const powerAttributes = power('powerAttributes', sequence({
  hertz: one(power('hertz', decimal)),
  voltage: one(power('voltage', decimal)),
  ac: one(power('ac', boolean)),
}));

export const item: ElementCodec<Item> = variant({
  powerReal: itemOf('powerReal', 'RealPower', 'W', sequence({
    siScaleCode,
    powerAttributes: one(powerAttributes),
  })),
  energyReal: itemOf('energyReal', 'RealEnergy', 'Wh', sequence({ siScaleCode })),
});

const temixPower: ElementCodec<TemixPower> = power('temixPower', sequence({
  price: opt(price),
  item: opt(item),
  quantity: opt(emix('quantity', decimal)),
}));

/** Payloads that substitute for strm:streamPayloadBase. */
export const streamPayload: ElementCodec<StreamPayload> = variant({ temixPower });

const interval: ElementCodec<Interval> = element(NS.ei, 'interval', sequence({
  dtstart: opt(dtstart),
  duration: opt(durationProp),
  uid: opt(uid),
  payloads: many(streamPayload),
}));
export const intervals = element(NS.strm, 'intervals', list(interval));

export const product: ElementCodec<Product> = emix('product', sequence({
  dtstart: opt(dtstart),
  duration: opt(durationProp),
  payload: opt(streamPayload),
  intervals: opt(intervals),
  uid: one(emix('uid', text)),
  transactiveState: one(emix('transactiveState', enumeration(transactiveStates))),
  expirationDate: opt(emix('expirationDate', instant)),
  integralOnly: opt(emix('integralOnly', boolean)),
  currency: opt(currency),
  marketContext: one(marketContext),
  side: one(side),
}));
