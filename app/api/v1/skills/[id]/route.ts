// Thin adapter: lib/api/v1/resources/catalogues.ts
import { skillEndpoints } from "@/lib/api/v1/resources/catalogues";

export const dynamic = "force-dynamic";

export const GET = skillEndpoints.get;
export const PATCH = skillEndpoints.update;
export const DELETE = skillEndpoints.remove;
