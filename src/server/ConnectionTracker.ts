import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Holds at most `max` connections. At the cap, a new connection evicts the one that has waited longest without
 * being served (still sending its request, or idle between requests); when every connection is being served, the
 * new one is closed. Node's own `server.maxConnections` refuses the newest instead, which lets a few thousand slow
 * clients lock everyone out (health checks included) for as long as they stay.
 */
export class ConnectionTracker {
  /** Socket → whether a request on it is being served. Map order = least recently served first. */
  private readonly live = new Map<Socket, boolean>();
  private onEmpty: (() => void)[] = [];
  /** Connections closed to make room, for the record. */
  evicted = 0;

  constructor(
    server: Server,
    private readonly max: number,
  ) {
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  get size(): number {
    return this.live.size;
  }

  /** A request on `socket` has been received whole and is being served: never evicted until answered. */
  markBusy(socket: Socket): void {
    if (this.live.has(socket)) this.live.set(socket, true);
  }

  /** The answer on `socket` has been written: it waits again, as the most recently served. */
  markIdle(socket: Socket): void {
    if (!this.live.delete(socket)) return;
    this.live.set(socket, false);
  }

  /** Resolves once no connection is open. */
  whenEmpty(): Promise<void> {
    return this.live.size === 0 ? Promise.resolve() : new Promise((resolve) => this.onEmpty.push(resolve));
  }

  destroyAll(): void {
    for (const socket of [...this.live.keys()]) socket.destroy();
  }

  private admit(socket: Socket): void {
    if (this.live.size >= this.max) {
      const victim = this.oldestWaiting();
      if (!victim) return void socket.destroy();
      this.forget(victim);
      victim.destroy();
      this.evicted++;
    }
    this.live.set(socket, false);
    socket.once('close', () => this.forget(socket));
  }

  private oldestWaiting(): Socket | undefined {
    for (const [socket, busy] of this.live) if (!busy) return socket;
    return undefined;
  }

  private forget(socket: Socket): void {
    if (!this.live.delete(socket) || this.live.size > 0) return;
    const waiting = this.onEmpty;
    this.onEmpty = [];
    for (const resolve of waiting) resolve();
  }
}
