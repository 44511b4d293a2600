// Thin adapter: lib/api/v1/resources/routes.ts
import { deleteRouteEndpoint, getRouteEndpoint, updateRouteEndpoint } from "@/lib/api/v1/resources/routes";

export const dynamic = "force-dynamic";

export const GET = getRouteEndpoint;
export const PATCH = updateRouteEndpoint;
export const DELETE = deleteRouteEndpoint;
