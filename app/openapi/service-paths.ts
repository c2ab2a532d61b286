import { empty, error, json } from './responses';
import { ref } from './schemas';
import type { PathItem } from './types';

/** What operators and tools read: the health probe, the metrics, this document. */
export const servicePaths: Record<string, PathItem> = {
  '/healthz': {
    get: {
      operationId: 'health',
      summary: 'Health probe',
      description: '200 only when the database answers within 1.5 s.',
      tags: [ 'service' ],
      responses: {
        200: json('the database answers', ref('Health')),
        503: error('the database fails or does not answer in time', [ 'DATABASE_UNAVAILABLE' ]),
        500: error('the server failed', [ 'INTERNAL_ERROR' ]),
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      summary: "Prometheus metrics (every worker's)",
      description: 'Exists only when METRICS_TOKEN is set: without it the route answers 404 like any unknown one. Send the token as `Authorization: Bearer <METRICS_TOKEN>`.',
      tags: [ 'service' ],
      security: [{ metricsBearer: [] }],
      responses: {
        200: {
          ...empty("Prometheus' text exposition format"),
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        401: error('no valid metrics token', [ 'UNAUTHORIZED' ], { 'WWW-Authenticate': 'WwwAuthenticate' }),
        404: error('METRICS_TOKEN is not set', [ 'NOT_FOUND' ]),
        503: error('not every worker answered in time', [ 'METRICS_UNAVAILABLE' ]),
        500: error('the server failed', [ 'INTERNAL_ERROR' ]),
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      tags: [ 'service' ],
      responses: {
        200: json('OpenAPI 3.1', { type: 'object', required: [ 'openapi', 'info', 'paths' ], properties: { openapi: { const: '3.1.0' } } }),
        500: error('the server failed', [ 'INTERNAL_ERROR' ]),
      },
    },
  },
};
