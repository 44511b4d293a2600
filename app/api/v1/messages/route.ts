// Thin adapter: lib/api/v1/resources/messages.ts
import { listMessagesEndpoint } from "@/lib/api/v1/resources/messages";

export const dynamic = "force-dynamic";

export const GET = listMessagesEndpoint;
