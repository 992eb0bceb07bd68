/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Line of the first element with this local name (any prefix), for errors found after parsing. */
export function lineOfElement(xml: string, localName: string): number | undefined {
  const at = new RegExp(`<(?:[\\w.-]+:)?${localName}[\\s>/]`).exec(xml)?.index;
  return at === undefined ? undefined : lineAt(xml, at);
}
