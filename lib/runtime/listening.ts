import net from "node:net";

/** Whether something accepts TCP connections on 127.0.0.1:`port` before `timeoutMs` has passed. */
export async function listeningOnLoopback(port: number, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: "127.0.0.1" }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (connected) return true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return false;
}
