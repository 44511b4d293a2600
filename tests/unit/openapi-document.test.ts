import { describe, expect, it } from "vitest";

import { openApiDocument } from "@/lib/api/v1/openapi";

import { openApiSchemaErrors } from "../support/openapi-check";

/** The Automation API's document as generated from the zod schemas (served at /api/v1/openapi.json). */
describe("the Automation API's OpenAPI document", () => {
  it("is valid OpenAPI 3.1, with every Schema Object valid JSON Schema 2020-12", async () => {
    const document = openApiDocument();
    expect(document.openapi).toBe("3.1.0");
    expect(await openApiSchemaErrors(document)).toEqual([]);
  });

  it("takes the route form's own schema as the create body: its required fields and limits", () => {
    const body = openApiDocument().paths?.["/routes"]?.post?.requestBody as { content: Record<string, { schema: { required: string[]; properties: Record<string, { maxLength?: number }> } }> };
    const schema = body.content["application/json"]!.schema;
    expect(schema.required).toEqual(expect.arrayContaining(["domainId", "pattern", "queueId", "fromName"]));
    expect(schema.properties.fromName!.maxLength).toBe(200);
  });
});
