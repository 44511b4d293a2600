/**
 * `npm run worker`: the background job worker as its own process, for deployments that run more
 * web instances than they want workers (set WORKER_MODE=off on the web instances) or that keep DNS
 * checks away from page traffic. Any number may run against one database. Uses DATABASE_URL, or
 * the embedded database (the running one if `npm start` is up). On SIGTERM/SIGINT it takes no new
 * jobs, lets running ones finish (handing back any still running after SHUTDOWN_TIMEOUT), and
 * closes its connections.
 */
import { startWorker } from "@/lib/worker/worker";

import { runService } from "./cli";

runService("job worker", (config) => startWorker({ config, mode: "separate" }));
