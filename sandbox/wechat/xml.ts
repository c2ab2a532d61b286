import { js2xml, xml2js } from 'xml-js';

/**
 * Pay API v2's XML: one `<xml>` root holding one element per field, no
 * attributes, no nesting. WeChat writes strings in CDATA and numbers as
 * text; it reads either. Built and read with xml-js's compact form, on its
 * own, apart from the service's parser.
 */
export type XmlFields = Record<string, string | number | undefined | null>;

/** Why a document is not a v2 message. */
export class WechatXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WechatXmlError';
  }
}

interface CompactNode {
  _text?: string | string[];
  _cdata?: string | string[];
  [child: string]: unknown;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// WeChat refuses DTDs: they are how XXE and entity-expansion attacks begin.
const DTD = /<!(DOCTYPE|ENTITY)/i;
// xml-js leaves this marker on an element whose end tag never came.
const UNCLOSED = '_parent';

/**
 * `<xml>` with the fields in the given order; null and undefined are left
 * out. `root` names another root element: a refund notify's req_info
 * encrypts a `<root>` document of the same flat shape.
 */
export function toXml(fields: XmlFields, root = 'xml'): string {
  if (!FIELD_NAME.test(root)) throw new WechatXmlError(`not an XML element name: ${JSON.stringify(root)}`);
  const children: Record<string, { _text: string } | { _cdata: string }> = {};
  for (const [ name, value ] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (!FIELD_NAME.test(name)) throw new WechatXmlError(`not an XML field name: ${JSON.stringify(name)}`);
    children[name] = typeof value === 'number' ? { _text: String(value) } : { _cdata: value };
  }
  return js2xml({ [root]: children }, {
    compact: true,
    // A `]]>` inside a value would end the CDATA section early: split it across two sections.
    cdataFn: value => value.split(']]>').join(']]]]><![CDATA[>'),
  });
}

function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('') : value;
}

function fieldText(name: string, node: unknown): string {
  if (Array.isArray(node)) throw new WechatXmlError(`field <${name}> appears more than once`);
  const field = node as CompactNode;
  if (Object.prototype.hasOwnProperty.call(field, UNCLOSED)) throw new WechatXmlError(`field <${name}> is not closed`);
  const children = Object.keys(field).filter(key => key !== '_text' && key !== '_cdata');
  if (children.length > 0) throw new WechatXmlError(`field <${name}> is not flat`);
  const text = joined(field._text);
  const cdata = joined(field._cdata);
  if (cdata === undefined) return text ?? '';
  // Compact form loses the order of text and CDATA, so only blank text around a CDATA section is accepted.
  if (text !== undefined && text.trim() !== '') throw new WechatXmlError(`field <${name}> mixes text and CDATA`);
  return cdata;
}

/** The fields of a flat `<xml>` document; throws WechatXmlError for anything else. */
export function fromXml(text: string): Record<string, string> {
  if (typeof text !== 'string' || !text.trim()) throw new WechatXmlError('empty document');
  if (DTD.test(text)) throw new WechatXmlError('DTDs are not accepted');
  // xml-js does not report a document cut short, so its end is checked here.
  if (!/<\/xml>\s*$/.test(text)) throw new WechatXmlError('the document does not end with </xml>');
  let document: Record<string, unknown>;
  try {
    document = xml2js(text, {
      compact: true,
      ignoreDeclaration: true,
      ignoreInstruction: true,
      ignoreComment: true,
      ignoreAttributes: true,
      ignoreDoctype: true,
    }) as Record<string, unknown>;
  } catch (err) {
    throw new WechatXmlError(`malformed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  const roots = Object.keys(document);
  if (roots.length !== 1 || roots[0] !== 'xml' || Array.isArray(document.xml)) {
    throw new WechatXmlError('the document must have one <xml> root');
  }
  const root = document.xml as CompactNode;
  if (Object.prototype.hasOwnProperty.call(root, UNCLOSED)) throw new WechatXmlError('<xml> is not closed');
  if (joined(root._text)?.trim() || root._cdata !== undefined) throw new WechatXmlError('text outside any field');
  const fields: Record<string, string> = Object.create(null);
  for (const name of Object.keys(root)) {
    if (name === '_text') continue;
    fields[name] = fieldText(name, root[name]);
  }
  return fields;
}
