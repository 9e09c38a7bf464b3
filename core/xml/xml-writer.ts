/**
 * A tiny declarative XML serialiser for our builders.
 * @packageDocumentation
 */
import { escapeXml } from './safe-xml';

/**
 * An element to serialise. Names are written as given (they come from our own constants);
 * every attribute value and text is escaped.
 * @remarks Builders describe documents as data instead of concatenating strings, so no caller
 * can forget an escape (XML 1.0 §2.4).
 * @public
 */
export type XmlWriteNode = {
  readonly name: string;
  /** Written in insertion order; `undefined` values are left out. */
  readonly attrs?: Readonly<Record<string, string | undefined>>;
  readonly text?: string;
  readonly children?: readonly XmlWriteNode[];
};

/** Options for {@link writeXml}. @public */
export type XmlWriteOptions = {
  /** Prefix `<?xml version="1.0" encoding="utf-8"?>`; default true. */
  readonly declaration?: boolean;
};

/**
 * The XML declaration our builders emit.
 * @remarks XML 1.0 §2.8; SIP bodies are UTF-8 (RFC 3261 §7.4.1 default charset for XML types).
 * @public
 */
export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/**
 * Serialises a {@link XmlWriteNode} tree, compactly (no indentation, so text stays exact).
 * @remarks XML 1.0 §3.1 (start-tags, end-tags, empty-element tags).
 * @public
 */
export function writeXml(root: XmlWriteNode, options: XmlWriteOptions = {}): string {
  return (options.declaration === false ? '' : XML_DECLARATION) + writeNode(root);
}

function writeNode(node: XmlWriteNode): string {
  const attrs = Object.entries(node.attrs ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  const content = escapeXml(node.text ?? '') + (node.children ?? []).map(writeNode).join('');
  return content === '' ? `<${node.name}${attrs}/>` : `<${node.name}${attrs}>${content}</${node.name}>`;
}
