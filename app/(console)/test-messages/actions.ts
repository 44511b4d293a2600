"use server";

import { defineAction } from "@/lib/actions/define-action";
import { getConfig } from "@/lib/config/env";
import { sendTestMessage } from "@/lib/test-messages/commands/send-test-message";
import { getTestMessageTrace, traceSettings } from "@/lib/test-messages/queries";
import { sendTestMessageSchema, testMessageIdSchema } from "@/lib/test-messages/schemas";
import { testMessageSettings } from "@/lib/test-messages/settings";

/** "Send a test message": real mail to one of the organisation's routed addresses, so it needs the manage permission. */
export const sendTestMessageAction = defineAction(
  { name: "sendTestMessage", ability: "manage", input: sendTestMessageSchema },
  async (input, { actor, db }) => {
    const config = getConfig();
    const sent = await sendTestMessage(db, actor, input, testMessageSettings(config));
    return getTestMessageTrace(db, actor.organizationId, sent.id, traceSettings(config));
  },
);

/** A test message's trace as it stands, asked for every second while it is under way: viewers may watch. */
export const watchTestMessageAction = defineAction(
  { name: "watchTestMessage", ability: "view", input: testMessageIdSchema },
  async ({ id }, { actor, db }) => getTestMessageTrace(db, actor.organizationId, id, traceSettings(getConfig())),
);
