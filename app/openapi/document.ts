import { customerPaths } from './customer-paths';
import { notifyPaths } from './notify-paths';
import { headers } from './responses';
import { schemas } from './schemas';
import { servicePaths } from './service-paths';
import { staffPaths } from './staff-paths';
import type { OpenApiDocument } from './types';

const DESCRIPTION = `
The HTTP API of wxpay-merchant: the WeChat mini-program's customer API, the staff API behind
the merchant console, WeChat Pay's callbacks (v2 XML, v3 JSON), and the service's own endpoints.

Money is an integer number of fen everywhere. Errors are JSON \`{ "code", "message" }\` whatever
the Accept header; every reply carries \`X-Request-Id\`. Requests the HTTP server itself refuses
before any route sees them (a header block too large: 431, a request too slow: 408, not HTTP:
400) answer the same JSON error shape.

Not described here, on purpose: \`/sandbox/*\` (the WeChat simulator of local development and
tests, never mounted in production), and the pages the app serves as static files with the
redirects of their bare paths (\`/console/\`, and in local development \`/playground/\` and the
viewer of this document, \`/openapi/\`).

The test suite checks every response it receives against this document.
`.trim();

/** The OpenAPI 3.1 document of the service, assembled from one file per area. */
export function buildOpenApiDocument(version: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: { title: 'wxpay-merchant', version, description: DESCRIPTION },
    // relative: the document is right on whichever host serves it
    servers: [{ url: '/' }],
    tags: [
      { name: 'customer', description: 'the mini-program: login, catalogue, orders and payment (customer token)' },
      { name: 'staff', description: 'the merchant console: orders, refunds, bill reconciliation (staff token)' },
      { name: 'notify', description: "WeChat Pay's callbacks: payments and refunds, v2 and v3" },
      { name: 'service', description: 'health, metrics, this document' },
    ],
    paths: { ...customerPaths, ...staffPaths, ...notifyPaths, ...servicePaths },
    components: {
      schemas,
      headers,
      securitySchemes: {
        customerBearer: {
          type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
          description: 'from POST /api/login: HS256, aud `customer`, sub the user id, AUTH_TOKEN_TTL seconds (7200). A staff token is refused (401).',
        },
        staffBearer: {
          type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
          description: 'from POST /admin/api/login: HS256, aud `staff`, the role in a claim, STAFF_TOKEN_TTL seconds (28800). A customer token is refused (401).',
        },
        metricsBearer: { type: 'http', scheme: 'bearer', description: 'the METRICS_TOKEN of the deployment' },
      },
    },
  };
}
