/**
 * `npm run inbound`: the inbound SMTP gateway as its own process — one per MX host, as many as you
 * like against one database (set INBOUND_MODE=off on the web instances). Uses DATABASE_URL, or the
 * embedded database (the running one if `npm start` is up). On SIGTERM/SIGINT new connections and
 * new transactions get 421 while transactions under way finish (up to SHUTDOWN_TIMEOUT), then it
 * exits. Under a process manager start the command itself so the signal reaches it:
 * `node --conditions=react-server --import tsx scripts/inbound.ts`.
 */
import { startGateway } from "@/lib/mail/gateway";
import { StartupError } from "@/lib/runtime/database";

import { runService } from "./cli";

runService("inbound SMTP gateway", async (config) => {
  try {
    const gateway = await startGateway({ config, mode: "separate" });
    console.log(`Inbound SMTP gateway listening on port ${gateway.port}.`);
    return gateway;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new StartupError(`Port ${config.INBOUND_SMTP_PORT} is already in use. Set INBOUND_SMTP_PORT to a free port.`);
    if (code === "EACCES") throw new StartupError(`No permission to listen on port ${config.INBOUND_SMTP_PORT} (ports below 1024 need privileges).`);
    throw error;
  }
});
