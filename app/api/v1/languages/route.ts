// Thin adapter: lib/api/v1/resources/catalogues.ts
import { languageEndpoints } from "@/lib/api/v1/resources/catalogues";

export const dynamic = "force-dynamic";

export const GET = languageEndpoints.list;
export const POST = languageEndpoints.create;
