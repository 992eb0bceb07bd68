/** The namespaces micromarket reads and writes, with the prefixes it writes them with. */
export const NS = {
  ei: 'http://docs.oasis-open.org/ns/energyinterop/201110',
  pyld: 'http://docs.oasis-open.org/ns/energyinterop/201110/payloads',
  enroll: 'http://docs.oasis-open.org/ns/energyinterop/201110/enroll',
  emix: 'http://docs.oasis-open.org/ns/emix/2011/06',
  power: 'http://docs.oasis-open.org/ns/emix/2011/06/power',
  scale: 'http://docs.oasis-open.org/ns/emix/2011/06/siscale',
  xcal: 'urn:ietf:params:xml:ns:icalendar-2.0',
  strm: 'urn:ietf:params:xml:ns:icalendar-2.0:stream',
  oadr: 'http://openadr.org/oadr-2.0b/2012/07',
  rules: 'urn:micromarket:ns:market-rules:1',
  /** GML 3.2: the geography an OpenADR target may carry, kept as sent. */
  gml: 'http://www.opengis.net/gml/3.2',
} as const;

/** Prefix we emit for each namespace URI. Readers never rely on prefixes. */
export const prefixOf: ReadonlyMap<string, string> = new Map(Object.entries(NS).map(([p, uri]) => [uri, p]));
