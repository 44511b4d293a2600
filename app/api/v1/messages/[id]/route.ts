// Thin adapter: lib/api/v1/resources/messages.ts
import { getMessageEndpoint } from "@/lib/api/v1/resources/messages";

export const dynamic = "force-dynamic";

export const GET = getMessageEndpoint;
