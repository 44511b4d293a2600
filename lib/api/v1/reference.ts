import "server-only";

import { openApiDocument } from "./openapi";

/**
 * The API reference page's view of the OpenAPI document: every operation with its parameters,
 * body fields and answers, read from the same generated document `/api/v1/openapi.json` serves,
 * so the page can never describe an API other than the one running. Rendered on the server: no
 * script, nothing fetched from elsewhere.
 */

export interface ReferenceField {
  name: string;
  where: string;
  type: string;
  required: boolean;
  description: string;
}

export interface ReferenceOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  fields: ReferenceField[];
  responses: { status: string; description: string }[];
}

export interface ReferenceSection {
  tag: string;
  description: string;
  operations: ReferenceOperation[];
}

type Json = Record<string, unknown>;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function asObject(value: unknown): Json {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Follows a `$ref` into the document's components. */
function resolve(document: Json, value: unknown): Json {
  const object = asObject(value);
  const ref = text(object.$ref);
  if (!ref.startsWith("#/")) return object;
  return ref
    .slice(2)
    .split("/")
    .reduce<Json>((node, key) => asObject(node[key]), document);
}

function typeOf(document: Json, schema: unknown): string {
  const resolved = resolve(document, schema);
  if (Array.isArray(resolved.enum)) return resolved.enum.map((value) => JSON.stringify(value)).join(" | ");
  if (resolved.type === "array") return `${typeOf(document, resolved.items)}[]`;
  if (Array.isArray(resolved.type)) return resolved.type.join(" | ");
  for (const key of ["oneOf", "anyOf"] as const) {
    if (Array.isArray(resolved[key])) return resolved[key].map((option) => typeOf(document, option)).join(" | ");
  }
  const format = text(resolved.format);
  return `${text(resolved.type) || "object"}${format ? ` (${format})` : ""}`;
}

function bodyFields(document: Json, requestBody: unknown): ReferenceField[] {
  const content = asObject(asObject(resolve(document, requestBody)).content);
  const schema = resolve(document, asObject(content["application/json"]).schema);
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(asObject(schema.properties)).map(([name, property]) => ({
    name,
    where: "body",
    type: typeOf(document, property),
    required: required.has(name),
    description: text(resolve(document, property).description),
  }));
}

export function readApiReference(): { title: string; version: string; sections: ReferenceSection[] } {
  const document = openApiDocument() as unknown as Json;
  const info = asObject(document.info);
  const tagDescriptions = new Map((Array.isArray(document.tags) ? document.tags : []).map((tag) => [text(asObject(tag).name), text(asObject(tag).description)]));
  // Paths in the document are relative to its server ("/api/v1"): the page shows them whole.
  const base = text(asObject((Array.isArray(document.servers) ? document.servers : [])[0]).url).replace(/\/$/, "");
  const sections = new Map<string, ReferenceSection>();
  for (const [path, item] of Object.entries(asObject(document.paths))) {
    for (const method of METHODS) {
      const operation = asObject(asObject(item)[method]);
      if (Object.keys(operation).length === 0) continue;
      const tag = text((Array.isArray(operation.tags) ? operation.tags : [])[0]) || "Other";
      const parameters = (Array.isArray(operation.parameters) ? operation.parameters : []).map((parameter) => resolve(document, parameter));
      const section = sections.get(tag) ?? { tag, description: tagDescriptions.get(tag) ?? "", operations: [] };
      sections.set(tag, section);
      section.operations.push({
        id: text(operation.operationId) || `${method}-${path}`,
        method: method.toUpperCase(),
        path: `${base}${path}`,
        summary: text(operation.summary),
        description: text(operation.description),
        fields: [
          ...parameters.map((parameter) => ({
            name: text(parameter.name),
            where: text(parameter.in),
            type: typeOf(document, parameter.schema),
            required: parameter.required === true,
            description: text(parameter.description),
          })),
          ...bodyFields(document, operation.requestBody),
        ],
        responses: Object.entries(asObject(operation.responses)).map(([status, response]) => ({
          status,
          description: text(resolve(document, response).description),
        })),
      });
    }
  }
  return { title: text(info.title), version: text(info.version), sections: [...sections.values()] };
}
