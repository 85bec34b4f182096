// Passes every request the acknowledgement thread does not answer itself (/healthz, the sandbox's routes) to the
// main thread's server of those routes on loopback, and its answer back, so they keep Sluice's one public port.
import { Agent, request, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";

/** Headers about one hop's connection rather than the request: each side of the proxy has its own. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

export type RouteProxy = (req: IncomingMessage, res: ServerResponse) => void;

export function routeProxy(port: number): RouteProxy {
  const agent = new Agent({ keepAlive: true });
  return (req, res) => {
    const failed = () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    };
    let upstream: ClientRequest;
    try {
      upstream = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: endToEnd(req.headers), agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(res);
      });
    } catch {
      // A path or header Node refuses to send on: the client gets a 502, the thread goes on.
      return failed();
    }
    upstream.on("error", failed);
    // A client that goes away stops the request it made (a long upload, say).
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}
