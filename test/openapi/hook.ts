import { Readable, Transform } from 'node:stream';
import type { Application, Context } from 'egg';
import { buildOpenApiDocument } from '../../app/openapi/document';
import { Conformance, Match, mediaTypeOf, Reply } from './conformance';

/**
 * Puts the OpenAPI conformance check in front of the app's middleware in the
 * test process, so every reply a test receives over HTTP (app.httpRequest(),
 * the real listener WeChat's simulator and the browser tests call) is checked
 * against the document. Violations are collected here; test/.setup.ts fails
 * the test that received them.
 */

export interface Violation {
  method: string;
  path: string;
  status: number;
  problems: string[];
}

const collected: Violation[] = [];

/** Violations seen since the last call, removed from the list. */
export function takeViolations(): Violation[] {
  return collected.splice(0);
}

/** A readable error listing violations, or undefined when there are none. */
export function violationError(violations: Violation[]): Error | undefined {
  if (violations.length === 0) return undefined;
  const lines = violations.map(v => `  ${v.method} ${v.path} → ${v.status}: ${v.problems.join('; ')}`);
  return new Error(`replies that do not conform to the OpenAPI document (app/openapi/):\n${lines.join('\n')}`);
}

/** The parts of a reply the check needs, with the body in the form the documented media type reads. */
function replyOf(ctx: Context, text?: string): Reply {
  const contentType = ctx.response.get('Content-Type') || undefined;
  const base = { method: ctx.method, path: ctx.path, status: ctx.status, contentType, headerNames: new Set(Object.keys(ctx.response.headers)) };
  const body: unknown = text ?? ctx.body;
  if (body === null || body === undefined) return { ...base, body: { kind: 'none' } };
  if (body instanceof Readable) return { ...base, body: { kind: 'stream' } };
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const value = body.toString();
    if (mediaTypeOf(contentType) === 'application/json') {
      try {
        return { ...base, body: { kind: 'json', value: JSON.parse(value) } };
      } catch {
        return { ...base, body: { kind: 'text', text: value } };
      }
    }
    return { ...base, body: { kind: 'text', text: value } };
  }
  // what Koa will send: JSON.stringify of the object
  return { ...base, body: { kind: 'json', value: JSON.parse(JSON.stringify(body)) } };
}

function record(conformance: Conformance, match: Match, reply: Reply): void {
  const problems = conformance.check(match, reply);
  if (problems.length > 0) collected.push({ method: reply.method, path: reply.path, status: reply.status, problems });
}

/** Lets a streamed body through unchanged, keeping its first bytes to check once it ends. */
function checkStreamWhenDone(ctx: Context, body: Readable, onEnd: (start: string) => void): Transform {
  let start = '';
  const tee = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      if (start.length < 4096) start += chunk.toString();
      callback(null, chunk);
    },
    flush(callback) {
      onEnd(start);
      callback();
    },
  });
  body.on('error', err => tee.destroy(err));
  body.pipe(tee);
  // the Content-Type stays: Koa sets one for a stream only when none was set
  ctx.body = tee;
  return tee;
}

export function conformanceMiddleware(conformance: Conformance) {
  return async function openApiConformance(ctx: Context, next: () => Promise<void>) {
    const match = conformance.match(ctx.method, ctx.path);
    if (!match) return next();
    try {
      await next();
    } catch (err) {
      // errorHandler answers every error of the routes; one that gets past it is answered by egg's onerror, undocumented
      const status = (err as { status?: number }).status ?? 500;
      collected.push({ method: ctx.method, path: ctx.path, status, problems: [ `an error escaped the error handler: ${(err as Error).message}` ] });
      throw err;
    }
    if (ctx.body instanceof Readable) {
      checkStreamWhenDone(ctx, ctx.body, start => record(conformance, match, replyOf(ctx, start)));
      return;
    }
    record(conformance, match, replyOf(ctx));
  };
}

/**
 * Installs the check. Koa composes app.middleware when app.callback() is
 * called: egg-mock's server (app.httpRequest()) and app.listen() both call it
 * when they are created, so this must run before either is.
 */
export function installOpenApiConformance(app: Application): void {
  const conformance = new Conformance(buildOpenApiDocument('test')).compileAll();
  (app as unknown as { middleware: unknown[] }).middleware.unshift(conformanceMiddleware(conformance));
}
