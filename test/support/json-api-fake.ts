import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A provider's REST API faked on loopback: a real HTTP server answering JSON, on a free port. */
export abstract class JsonApiFake {
  private server!: Server;
  port = 0;

  protected abstract handle(req: IncomingMessage): Promise<{ status: number; body: unknown }>;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
