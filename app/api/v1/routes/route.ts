// Thin adapter: lib/api/v1/resources/routes.ts
import { createRouteEndpoint, listRoutesEndpoint } from "@/lib/api/v1/resources/routes";

export const dynamic = "force-dynamic";

export const GET = listRoutesEndpoint;
export const POST = createRouteEndpoint;
