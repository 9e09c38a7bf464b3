/**
 * XML layer: a hardened reader that yields a namespace-resolved tree, and a small escaping writer.
 * @packageDocumentation
 */
export type { XmlElement, XmlLimits, XmlRejectRule, XmlResult } from './safe-xml';
export { DEFAULT_MAX_XML_BYTES, MAX_XML_DEPTH, XML_NAMESPACE, attr, child, children, escapeXml, parseXml, textOf } from './safe-xml';
export type { DecodeResult, ReferenceFailure } from './xml-text';
export { decodeReferences, indexOfNonXmlChar, isXmlBlank, isXmlChar, replaceNonXmlChars, utf8ByteLength, xmlTrim } from './xml-text';
export type { XmlWriteNode, XmlWriteOptions } from './xml-writer';
export { XML_DECLARATION, writeXml } from './xml-writer';
