// Thin adapter: lib/api/v1/resources/catalogues.ts
import { skillEndpoints } from "@/lib/api/v1/resources/catalogues";

export const dynamic = "force-dynamic";

export const GET = skillEndpoints.list;
export const POST = skillEndpoints.create;
