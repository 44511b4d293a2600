// Thin adapter: lib/api/v1/resources/catalogues.ts
import { queueEndpoints } from "@/lib/api/v1/resources/catalogues";

export const dynamic = "force-dynamic";

export const GET = queueEndpoints.list;
export const POST = queueEndpoints.create;
