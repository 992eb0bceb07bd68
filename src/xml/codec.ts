import type { XmlElement } from './tree.js';

/**
 * Declarative XML codecs. One description of a payload yields its decoder (resolved tree → typed
 * object), its encoder (typed object → element tree) and, by inference, its TypeScript type.
 * Decoding runs after XSD validation, so failures here are defects or value errors (a date that
 * does not exist), reported with the element path.
 */

/** An element to write. */
export interface OutElement {
  readonly ns: string;
  readonly name: string;
  /** Namespace-qualified attributes: [namespace URI, local name, value]. */
  readonly attrs?: ReadonlyArray<readonly [string, string, string]>;
  readonly children?: readonly OutElement[];
  readonly text?: string;
}

/** What goes inside an element: text or child elements. */
export interface Content {
  readonly children?: readonly OutElement[];
  readonly text?: string;
}

export class DecodeError extends Error {
  /** `text`: the value refused, by which the document's line is found (pipeline.ts, decodeRoot). */
  constructor(readonly path: string, readonly reason: string, readonly text?: string) {
    super(`${path}: ${reason}`);
  }
}

/** Reads and writes the content of an element. */
export interface ContentCodec<T> {
  decode(el: XmlElement): T;
  encode(value: T): Content;
}

/** Reads and writes one element, recognised by its namespace and local name. */
export interface ElementCodec<T> {
  readonly label: string;
  matches(el: XmlElement): boolean;
  decode(el: XmlElement): T;
  encode(value: T): OutElement;
}

export type ValueOf<C> = C extends ContentCodec<infer T> ? T : C extends ElementCodec<infer T> ? T : never;

// ---- scalar content

export function scalar<T>(parse: (text: string) => T, format: (value: T) => string): ContentCodec<T> {
  return {
    decode: (el) => {
      try {
        return parse(el.text);
      } catch (error) {
        throw new DecodeError('', (error as Error).message, el.text);
      }
    },
    encode: (value) => ({ text: format(value) }),
  };
}

export const text = scalar((s) => s, (s: string) => s);
export const decimal = scalar(Number, (n: number) => String(n));
export const integer = scalar((s) => {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${s}`);
  return n;
}, (n: number) => String(n));
export const boolean = scalar((s) => s === 'true' || s === '1', (b: boolean) => (b ? 'true' : 'false'));

export function enumeration<const T extends string>(values: readonly T[]): ContentCodec<T> {
  return scalar((s) => {
    if (!(values as readonly string[]).includes(s)) throw new RangeError(`${s} is not one of ${values.join(', ')}`);
    return s as T;
  }, (s) => s);
}

/** Converts a content codec's value to another representation. */
export function map<A, B>(codec: ContentCodec<A>, to: (a: A) => B, from: (b: B) => A): ContentCodec<B> {
  return { decode: (el) => to(codec.decode(el)), encode: (value) => codec.encode(from(value)) };
}

// ---- elements

export function element<T>(ns: string, name: string, content: ContentCodec<T>): ElementCodec<T> {
  const label = `{${ns}}${name}`;
  return {
    label,
    matches: (el) => el.name === name && el.ns === ns,
    decode: (el) => {
      try {
        return content.decode(el);
      } catch (error) {
        if (error instanceof DecodeError) throw new DecodeError(`/${name}${error.path}`, error.reason, error.text);
        throw error;
      }
    },
    encode: (value) => ({ ns, name, ...content.encode(value) }),
  };
}

/**
 * Writes fixed, namespace-qualified attributes on an element (OpenADR's ei:schemaVersion="2.0b");
 * reading leaves them to the schema, which already checked them.
 */
export function withAttributes<T>(codec: ElementCodec<T>, attrs: ReadonlyArray<readonly [string, string, string]>): ElementCodec<T> {
  return { ...codec, encode: (value) => ({ ...codec.encode(value), attrs }) };
}

type VariantValue<M extends Record<string, ElementCodec<unknown>>> = {
  [K in keyof M & string]: { kind: K; value: ValueOf<M[K]> };
}[keyof M & string];

/** One element out of several (a substitution group or a choice), tagged by its local name. */
export function variant<M extends Record<string, ElementCodec<unknown>>>(members: M): ElementCodec<VariantValue<M>> {
  const entries = Object.entries(members);
  const find = (el: XmlElement) => entries.find(([, codec]) => codec.matches(el));
  return {
    label: entries.map(([, c]) => c.label).join(' | '),
    matches: (el) => find(el) !== undefined,
    decode: (el) => {
      const [kind, codec] = find(el)!;
      return { kind, value: codec.decode(el) } as VariantValue<M>;
    },
    encode: (v) => members[v.kind]!.encode(v.value),
  };
}

// ---- sequences of fields

type Occurs = 'one' | 'opt' | 'many' | 'some';
export interface Field<T, O extends Occurs> {
  readonly codec: ElementCodec<T>;
  readonly occurs: O;
}
export const one = <T>(codec: ElementCodec<T>): Field<T, 'one'> => ({ codec, occurs: 'one' });
export const opt = <T>(codec: ElementCodec<T>): Field<T, 'opt'> => ({ codec, occurs: 'opt' });
export const many = <T>(codec: ElementCodec<T>): Field<T, 'many'> => ({ codec, occurs: 'many' });
export const some = <T>(codec: ElementCodec<T>): Field<T, 'some'> => ({ codec, occurs: 'some' });

// Each field has its own value type; ShapeValue recovers them, so `any` never reaches callers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Shape = Record<string, Field<any, Occurs>>;
type FieldValue<F> = F extends Field<infer T, infer O> ? (O extends 'many' | 'some' ? T[] : T) : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ShapeValue<S extends Shape> = Simplify<
  { [K in keyof S as S[K]['occurs'] extends 'opt' ? never : K]: FieldValue<S[K]> } & {
    [K in keyof S as S[K]['occurs'] extends 'opt' ? K : never]?: FieldValue<S[K]>;
  }
>;

function encodeFields<S extends Shape>(shape: S, value: ShapeValue<S>): Content {
  const children: OutElement[] = [];
  const record = value as Record<string, unknown>;
  for (const key in shape) {
    const field = shape[key]!;
    const v = record[key];
    if (v === undefined) continue;
    if (field.occurs === 'many' || field.occurs === 'some') for (const item of v as unknown[]) children.push(field.codec.encode(item));
    else children.push(field.codec.encode(v));
  }
  return { children };
}

/** Content kept as it was read and written back as is: for parts micromarket carries but never interprets. */
export const opaque: ContentCodec<Content> = {
  decode: function copy(el: XmlElement): Content {
    const children = el.children.map((child): OutElement => ({
      ns: child.ns, name: child.name, ...copy(child),
      attrs: Object.entries(child.attrs).map(([key, value]) => {
        const at = /^\{(.*)\}(.*)$/.exec(key);
        return at ? [at[1]!, at[2]!, value] as const : ['', key, value] as const;
      }),
    }));
    return children.length > 0 ? { children } : { text: el.text };
  },
  encode: (value) => value,
};

/** An xs:sequence: fields in order, each consuming the children its element codec matches. */
export function sequence<S extends Shape>(shape: S): ContentCodec<ShapeValue<S>> {
  const keys = Object.keys(shape);
  return {
    decode: (el) => {
      const out: Record<string, unknown> = {};
      const children = el.children;
      let i = 0;
      for (const key of keys) {
        const { codec, occurs } = shape[key]!;
        if (occurs === 'one' || occurs === 'opt') {
          const child = children[i];
          if (child && codec.matches(child)) {
            out[key] = codec.decode(child);
            i++;
          } else if (occurs === 'one') throw new DecodeError('', `expected ${codec.label}`);
        } else {
          const items: unknown[] = [];
          while (i < children.length && codec.matches(children[i]!)) items.push(codec.decode(children[i++]!));
          if (occurs === 'some' && items.length === 0) throw new DecodeError('', `expected ${codec.label}`);
          out[key] = items;
        }
      }
      if (i < children.length) throw new DecodeError('', `unexpected element {${children[i]!.ns}}${children[i]!.name}`);
      return out as ShapeValue<S>;
    },
    encode: (value) => encodeFields(shape, value),
  };
}

/** An xs:all of optional fields: children in any order, each at most once; written in shape order. */
export function unordered<S extends Record<string, Field<unknown, 'opt'>>>(shape: S): ContentCodec<ShapeValue<S>> {
  const entries = Object.entries(shape);
  return {
    decode: (el) => {
      const out: Record<string, unknown> = {};
      for (const child of el.children) {
        const entry = entries.find(([, f]) => f.codec.matches(child));
        if (!entry) throw new DecodeError('', `unexpected element {${child.ns}}${child.name}`);
        if (entry[0] in out) throw new DecodeError('', `${entry[1].codec.label} occurs twice`);
        out[entry[0]] = entry[1].codec.decode(child);
      }
      return out as ShapeValue<S>;
    },
    encode: (value) => encodeFields(shape, value),
  };
}

/** Content that is exactly one element, read as that element's value. */
export function single<T>(codec: ElementCodec<T>): ContentCodec<T> {
  return map(sequence({ v: one(codec) }), (s) => s.v as T, (v) => ({ v }));
}

/** Content that is a list of one kind of element. */
export function list<T>(codec: ElementCodec<T>): ContentCodec<T[]> {
  return map(sequence({ v: many(codec) }), (s) => s.v as T[], (v) => ({ v }));
}
