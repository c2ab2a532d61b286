import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Header, OpenApiDocument, Operation, Response, Schema } from '../../app/openapi/types';

/**
 * Checks replies of the app against its OpenAPI document: the status is
 * documented for the operation, the content type is one it documents, a JSON
 * body validates against the schema, an XML body has the documented root
 * element and required children, a CSV body starts with the documented header
 * line, and required headers are present. Schemas compile once, lazily, the
 * first time a (operation, status, media type) is met, or all at once
 * (compileAll): the suite stays fast.
 */

/** What a reply looked like, as far as the check needs it. */
export interface Reply {
  method: string;
  path: string;
  status: number;
  /** Content-Type header, or undefined */
  contentType?: string;
  /** header names, lower case */
  headerNames: ReadonlySet<string>;
  /** the body when known: a parsed JSON value, or text; undefined when there is none */
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string } | { kind: 'stream' };
}

/** Where an operation was found, and its documented shape. */
export interface Match {
  template: string;
  operation: Operation;
}

interface PathMatcher {
  template: string;
  pattern: RegExp;
  params: number;
}

const DOC_ID = 'openapi.json';

/** `application/json; charset=utf-8` → `application/json` */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase() || undefined;
}

/** JSON Pointer escaping of one segment (RFC 6901). */
const pointerSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export class Conformance {
  private readonly ajv: Ajv2020;
  private readonly matchers: PathMatcher[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument) {
    // strict off: OpenAPI's own annotations (example, xml) sit in the schemas.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    // The document is added whole, so that every $ref (#/components/...) resolves inside it.
    this.ajv.addSchema(doc as unknown as object, DOC_ID);
    this.matchers = Object.keys(doc.paths).map(template => {
      const parts = template.split(/\{[^}]+\}/);
      const pattern = new RegExp(`^${parts.map(part => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);
      return { template, pattern, params: parts.length - 1 };
    }).sort((a, b) => a.params - b.params); // a literal path wins over a template that also matches
  }

  /**
   * Compiles every JSON response schema now, so that no reply waits for a
   * compilation (tens of ms the first time): the check must not change the
   * timing the tests (the browser ones above all) see.
   */
  compileAll(): this {
    for (const [ template, item ] of Object.entries(this.doc.paths)) {
      for (const operation of Object.values(item)) {
        for (const [ status, response ] of Object.entries(operation!.responses)) {
          if (response.content?.['application/json']) this.validator({ template, operation: operation! }, Number(status), response, 'application/json');
        }
      }
    }
    return this;
  }

  /** The documented operation of a request, or undefined when the document does not describe it. */
  match(method: string, path: string): Match | undefined {
    const verb = method.toLowerCase() as 'get' | 'post';
    for (const matcher of this.matchers) {
      if (!matcher.pattern.test(path)) continue;
      const operation = this.doc.paths[matcher.template][verb];
      return operation ? { template: matcher.template, operation } : undefined;
    }
    return undefined;
  }

  /** What is wrong with a reply to a documented operation (empty: it conforms). */
  check(match: Match, reply: Reply): string[] {
    const response = match.operation.responses[String(reply.status)] ?? match.operation.responses.default;
    if (!response) return [ `status ${reply.status} is not documented (documented: ${Object.keys(match.operation.responses).join(', ')})` ];
    const problems: string[] = [];
    for (const [ name, header ] of Object.entries(response.headers ?? {})) {
      if (this.header(header).required && !reply.headerNames.has(name.toLowerCase())) problems.push(`header ${name} is missing`);
    }
    const documented = Object.keys(response.content ?? {});
    const mediaType = mediaTypeOf(reply.contentType);
    if (documented.length === 0) {
      if (reply.body.kind !== 'none') problems.push(`a body (${reply.contentType ?? 'no content type'}) where none is documented`);
      return problems;
    }
    if (!mediaType || !documented.includes(mediaType)) {
      problems.push(`content type ${reply.contentType ?? '(none)'} is not documented (documented: ${documented.join(', ')})`);
      return problems;
    }
    return problems.concat(this.checkBody(match, reply, response, mediaType));
  }

  private checkBody(match: Match, reply: Reply, response: Response, mediaType: string): string[] {
    const media = response.content![mediaType];
    const { body } = reply;
    if (mediaType === 'application/json') {
      if (body.kind !== 'json') return [ `a JSON body was documented, the reply has ${body.kind === 'text' ? 'text that is not JSON' : body.kind}` ];
      const validate = this.validator(match, reply.status, response, mediaType);
      if (validate(body.value)) return [];
      return (validate.errors ?? []).map(e => `body${e.instancePath || ''} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`);
    }
    if (mediaType.endsWith('/xml')) {
      if (body.kind !== 'text') return [ 'an XML body was expected' ];
      return checkXml(body.text, media.schema ?? {});
    }
    if (mediaType === 'text/csv' && body.kind === 'text') {
      const expected = typeof media.example === 'string' ? media.example.split('\r\n')[0] : undefined;
      const first = body.text.split(/\r?\n/)[0];
      if (expected !== undefined && first !== expected) return [ `CSV header line ${JSON.stringify(first)} is not ${JSON.stringify(expected)}` ];
    }
    return [];
  }

  private validator(match: Match, status: number, response: Response, mediaType: string): ValidateFunction {
    const verb = Object.entries(this.doc.paths[match.template]).find(([ , op ]) => op === match.operation)![0];
    const key = `${verb} ${match.template} ${status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const responseKey = Number.isNaN(status) || match.operation.responses[String(status)] !== response ? 'default' : String(status);
      const pointer = [ 'paths', match.template, verb, 'responses', responseKey, 'content', mediaType, 'schema' ].map(pointerSegment).join('/');
      validate = this.ajv.compile({ $ref: `${DOC_ID}#/${pointer}` });
      this.validators.set(key, validate);
    }
    return validate;
  }

  private header(header: Header | { $ref: string }): Header {
    if (!('$ref' in header)) return header;
    return this.doc.components.headers[header.$ref.replace('#/components/headers/', '')];
  }
}

/** The documented root element is the root, and every required child is there (WeChat's flat <xml> form). */
function checkXml(text: string, schema: Schema): string[] {
  const root = schema.xml?.name;
  const found = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.-]*)[\s>]/.exec(text)?.[1];
  if (root && found !== root) return [ `XML root element <${found ?? '?'}> is not <${root}>` ];
  const problems: string[] = [];
  for (const name of schema.required ?? []) {
    const value = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(text);
    if (!value) {
      problems.push(`XML element <${name}> is missing`);
      continue;
    }
    const allowed = schema.properties?.[name]?.enum;
    const content = value[1] ?? value[2];
    if (allowed && !allowed.includes(content)) problems.push(`XML <${name}> is ${JSON.stringify(content)}, not one of ${allowed.join(', ')}`);
  }
  return problems;
}
