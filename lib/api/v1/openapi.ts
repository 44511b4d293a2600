import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";

import { createLanguageSchema, createSkillSchema } from "@/lib/queues/schemas";
import { createQueueSchema } from "@/lib/queues/schemas";
import { createRouteSchema, testAddressSchema } from "@/lib/routes/schemas";
import { registerDomainSchema } from "@/lib/domains/schemas";

import {
  catalogueEntrySchema,
  domainSchema,
  listOf,
  messageDetailSchema,
  messagePageSchema,
  planSchema,
  problemSchema,
  queueSchema,
  routePageSchema,
  routeSchema,
  routeTestResultSchema,
} from "./representations";
import { applySchema, configurationSchema } from "./configuration";
import { patchCatalogueEntrySchema, patchQueueSchema } from "./resources/catalogues";
import { deleteDomainQuerySchema } from "./resources/domains";
import { listMessagesApiQuerySchema } from "./resources/messages";
import { listRoutesApiQuerySchema, patchRouteSchema } from "./resources/routes";

/**
 * The Automation API's OpenAPI 3.1 document, generated from the zod schemas the API itself
 * validates with (request bodies are the console's own form schemas) and the response schemas of
 * ./representations.ts. Served at /api/v1/openapi.json; the API suite validates every response
 * it receives against it (tests/integration/api-v1-*.test.ts).
 */

const idParams = z.object({ id: z.uuid().meta({ description: "The resource's id" }) });
const ifMatch = z.object({ "If-Match": z.string().meta({ description: 'The ETag of the version you change, as GET returned it (e.g. "3"); `*` for any' }) });
const idempotencyKey = z.object({
  "Idempotency-Key": z.string().max(200).optional().meta({ description: "Any unique text (a UUID): a retry with the same key returns the first answer for 24 hours instead of creating twice" }),
});

const problemContent = { "application/problem+json": { schema: problemSchema } };
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "The body is not JSON, or a header is malformed",
  401: "No API key, or one that is unknown, revoked or expired",
  403: "The key (or its creator) lacks the permission, or the organisation's licence does not include email routing",
  404: "No such resource in the key's organisation",
  409: "Conflicts with what exists (a duplicate, something still in use, a limit), or the same Idempotency-Key is still being answered",
  412: "If-Match names an older version; `current` holds the resource as it is now",
  413: "The body is too large",
  415: "The body is not declared as JSON",
  422: "Validation failed; `errors` lists messages per field",
  428: "If-Match is required",
  429: "Rate limit of the key reached; see Retry-After",
  500: "Unexpected failure; `reference` finds it in the log",
};

function errors(codes: number[]) {
  return Object.fromEntries(
    codes.map((code) => [
      String(code),
      {
        description: ERROR_DESCRIPTIONS[code]!,
        content: problemContent,
        ...(code === 429 ? { headers: { "Retry-After": { description: "Seconds until the key may send again", schema: { type: "integer" as const } } } } : {}),
      },
    ]),
  );
}

const READ_ERRORS = [401, 403, 404, 422, 429, 500];
const WRITE_ERRORS = [400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 500];

const etagHeader = { ETag: { description: "The version, for If-Match", schema: { type: "string" as const } } };
const locationHeader = { Location: { description: "The new resource", schema: { type: "string" as const } } };

function ok(schema: z.ZodType, description: string, options: { status?: 200 | 201; etag?: boolean; location?: boolean } = {}) {
  return {
    [String(options.status ?? 200)]: {
      description,
      headers: { ...(options.etag ? etagHeader : {}), ...(options.location ? locationHeader : {}) },
      content: { "application/json": { schema } },
    },
  };
}

const noContent = { "204": { description: "Deleted" } };

function json(schema: z.ZodType) {
  return { required: true, content: { "application/json": { schema } } };
}

function operation(tag: string, operationId: string, summary: string, body: Omit<ZodOpenApiOperationObject, "tags" | "operationId" | "summary">): ZodOpenApiOperationObject {
  return { tags: [tag], operationId, summary, ...body };
}

function catalogue(tag: string, singular: string, plural: string, item: z.ZodType, create: z.ZodType, patch: z.ZodType): ZodOpenApiPathsObject {
  const Singular = singular[0]!.toUpperCase() + singular.slice(1);
  const Plural = plural[0]!.toUpperCase() + plural.slice(1);
  return {
    [`/${plural}`]: {
      get: operation(tag, `list${Plural}`, `List ${plural}`, { responses: { ...ok(listOf(item, `${Singular}List`), `Every ${singular}, by name`), ...errors(READ_ERRORS) } }),
      post: operation(tag, `create${Singular}`, `Create a ${singular}`, {
        requestParams: { header: idempotencyKey },
        requestBody: json(create),
        responses: { ...ok(item, "Created", { status: 201, etag: true, location: true }), ...errors(WRITE_ERRORS) },
      }),
    },
    [`/${plural}/{id}`]: {
      get: operation(tag, `get${Singular}`, `Get a ${singular}`, { requestParams: { path: idParams }, responses: { ...ok(item, `The ${singular}`, { etag: true }), ...errors(READ_ERRORS) } }),
      patch: operation(tag, `update${Singular}`, `Change a ${singular}`, {
        requestParams: { path: idParams, header: ifMatch },
        requestBody: json(patch),
        responses: { ...ok(item, "Changed", { etag: true }), ...errors(WRITE_ERRORS) },
      }),
      delete: operation(tag, `delete${Singular}`, `Delete a ${singular} no route uses`, {
        requestParams: { path: idParams, header: ifMatch },
        responses: { ...noContent, ...errors(WRITE_ERRORS) },
      }),
    },
  };
}

let cached: ReturnType<typeof createDocument> | null = null;

export function openApiDocument() {
  cached ??= createDocument({
    openapi: "3.1.0",
    info: {
      title: "Email Routing Console — Automation API",
      version: "1.0.0",
      description:
        "Manage domains, routes and catalogues as code. Authenticate with an organisation API key (Settings > API keys) as `Authorization: Bearer <key>`. Every resource carries a version as its ETag; changes and deletes require `If-Match`. POSTs accept `Idempotency-Key`. Errors are RFC 9457 problem details.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ apiKey: [] }],
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key: erc_<prefix>_<secret>" } } },
    tags: [
      { name: "Domains" },
      { name: "Routes" },
      { name: "Queues" },
      { name: "Skills" },
      { name: "Languages" },
      { name: "Route tests" },
      { name: "Messages" },
      { name: "Configuration" },
    ],
    paths: {
      "/domains": {
        get: operation("Domains", "listDomains", "List domains with their records and latest verdicts", { responses: { ...ok(listOf(domainSchema, "DomainList"), "Every domain"), ...errors(READ_ERRORS) } }),
        post: operation("Domains", "registerDomain", "Register a custom domain or a platform subdomain", {
          requestParams: { header: idempotencyKey },
          requestBody: json(registerDomainSchema),
          responses: { ...ok(domainSchema, "Registered", { status: 201, etag: true, location: true }), ...errors(WRITE_ERRORS) },
        }),
      },
      "/domains/{id}": {
        get: operation("Domains", "getDomain", "Get a domain with its records and latest verdicts", { requestParams: { path: idParams }, responses: { ...ok(domainSchema, "The domain", { etag: true }), ...errors(READ_ERRORS) } }),
        delete: operation("Domains", "deleteDomain", "Delete a domain (and, with deleteRoutes, its routes)", {
          requestParams: { path: idParams, header: ifMatch, query: deleteDomainQuerySchema },
          responses: { ...noContent, ...errors(WRITE_ERRORS) },
        }),
      },
      "/domains/{id}/checks": {
        post: operation("Domains", "checkDomain", "Check the domain's DNS records now", {
          requestParams: { path: idParams, header: idempotencyKey },
          responses: { ...ok(domainSchema, "The domain after the check", { etag: true }), ...errors(WRITE_ERRORS) },
        }),
      },
      "/routes": {
        get: operation("Routes", "listRoutes", "List routes by address, filtered, a page at a time", {
          requestParams: { query: listRoutesApiQuerySchema },
          responses: { ...ok(routePageSchema, "A page of routes"), ...errors(READ_ERRORS) },
        }),
        post: operation("Routes", "createRoute", "Create a route", {
          requestParams: { header: idempotencyKey },
          requestBody: json(createRouteSchema),
          responses: { ...ok(routeSchema, "Created", { status: 201, etag: true, location: true }), ...errors(WRITE_ERRORS) },
        }),
      },
      "/routes/{id}": {
        get: operation("Routes", "getRoute", "Get a route", { requestParams: { path: idParams }, responses: { ...ok(routeSchema, "The route", { etag: true }), ...errors(READ_ERRORS) } }),
        patch: operation("Routes", "updateRoute", "Change a route", {
          requestParams: { path: idParams, header: ifMatch },
          requestBody: json(patchRouteSchema),
          responses: { ...ok(routeSchema, "Changed", { etag: true }), ...errors(WRITE_ERRORS) },
        }),
        delete: operation("Routes", "deleteRoute", "Delete a route", { requestParams: { path: idParams, header: ifMatch }, responses: { ...noContent, ...errors(WRITE_ERRORS) } }),
      },
      ...catalogue("Queues", "queue", "queues", queueSchema, createQueueSchema, patchQueueSchema),
      ...catalogue("Skills", "skill", "skills", catalogueEntrySchema, createSkillSchema, patchCatalogueEntrySchema),
      ...catalogue("Languages", "language", "languages", catalogueEntrySchema, createLanguageSchema, patchCatalogueEntrySchema),
      "/route-tests": {
        post: operation("Route tests", "testRoute", "Where does mail to this address go?", {
          requestBody: json(testAddressSchema),
          responses: { ...ok(routeTestResultSchema, "The outcome"), ...errors(WRITE_ERRORS) },
        }),
      },
      "/messages": {
        get: operation("Messages", "listMessages", "The Messages log, newest first", {
          requestParams: { query: listMessagesApiQuerySchema },
          responses: { ...ok(messagePageSchema, "A page of the log"), ...errors(READ_ERRORS) },
        }),
      },
      "/configuration": {
        get: operation("Configuration", "exportConfiguration", "The whole routing configuration (queues, skills, languages, routes) as one document", {
          responses: { ...ok(configurationSchema, "The configuration; its revision is also the ETag", { etag: true }), ...errors(READ_ERRORS) },
        }),
      },
      "/configuration/plan": {
        post: operation("Configuration", "planConfiguration", "What applying this document would create, change and delete", {
          requestBody: json(configurationSchema),
          responses: { ...ok(planSchema, "The plan; pass its basedOn to apply"), ...errors(WRITE_ERRORS) },
        }),
      },
      "/configuration/apply": {
        post: operation("Configuration", "applyConfiguration", "Apply a document, all or nothing; refused (412) when the configuration changed since the plan", {
          requestParams: { header: idempotencyKey },
          requestBody: json(applySchema),
          responses: { ...ok(planSchema, "Applied: the changes made"), ...errors(WRITE_ERRORS) },
        }),
      },
      "/messages/{id}": {
        get: operation("Messages", "getMessage", "A received message: recipients, routing, authentication, headers", {
          requestParams: { path: idParams },
          responses: { ...ok(messageDetailSchema, "The message"), ...errors(READ_ERRORS) },
        }),
      },
    },
  });
  return cached;
}
