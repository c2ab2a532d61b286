import { Controller } from 'egg';
import { buildOpenApiDocument } from '../openapi/document';

// Built and serialised on the first request, then served as it is: the document never changes while the process runs.
let serialised: string | undefined;

export default class OpenApiController extends Controller {
  // GET /openapi.json: the OpenAPI 3.1 document of this service (every environment)
  async document() {
    serialised ??= JSON.stringify(buildOpenApiDocument(String(this.config.pkg?.version ?? '0.0.0')));
    this.ctx.type = 'application/json';
    this.ctx.body = serialised;
  }
}
