// Thin adapter: lib/api/v1/resources/catalogues.ts
import { languageEndpoints } from "@/lib/api/v1/resources/catalogues";

export const dynamic = "force-dynamic";

export const GET = languageEndpoints.get;
export const PATCH = languageEndpoints.update;
export const DELETE = languageEndpoints.remove;
