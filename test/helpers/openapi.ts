// Checks a live response against the API's own OpenAPI document, so tests catch any drift
// between what the API says and what it does.
import { createAjv } from '../../api/openapi.ts';

const ajv = createAjv();

export function assertMatchesDocument(doc: any, method: string, pathTemplate: string, status: number, body: unknown): void {
  const op = doc.paths?.[pathTemplate]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${pathTemplate} is not in the OpenAPI document`);
  const response = op.responses?.[String(status)];
  if (!response) throw new Error(`${method} ${pathTemplate} does not document status ${status}`);
  const content = response.content ?? {};
  const schema = (content['application/json'] ?? content['application/problem+json'])?.schema;
  if (!schema) return;
  const validate = ajv.compile(schema);
  if (!validate(body)) throw new Error(`${method} ${pathTemplate} ${status} body does not match the document: ${ajv.errorsText(validate.errors)}`);
}
