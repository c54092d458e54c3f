/**
 * What every WebSocket of the mock shares, whatever protocol it speaks: the idle and lifetime
 * limits (spec section 5), the limit on answers a client leaves unread, and the one place that
 * closes a socket and journals who closed it and why. Runtime-free: the runtime adapters wrap
 * their sockets in a `Peer`, and a manual clock drives the limits in tests.
 */
import type { Clock, Timer } from "../clock.ts";
import type { Logger } from "../events.ts";
import type { Journal } from "../journal.ts";
import { CloseCode } from "../protocol/errors.ts";

/** How a connection talks back; the runtime adapter wraps its socket in one. */
export interface Peer {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued for the client and not yet written to the network. */
  bufferedAmount(): number;
}

export interface ConnectionLimits {
  /** Close a connection that has sent nothing for this long (documented: 180 s). */
  readonly idleMs: number;
  /** Close any connection this long after it opened (documented: 10 minutes). */
  readonly lifetimeMs: number;
  /** Close a client that lets more than this many bytes queue up unread. */
  readonly sendBufferBytes: number;
}

export interface ConnectionDeps {
  readonly connectionId: string;
  readonly clock: Clock;
  readonly journal: Journal;
  readonly logger: Logger;
  readonly limits: ConnectionLimits;
  /** Runs once, as the connection closes for any reason, before the close is journaled. */
  readonly onClosing?: () => void;
}

/** Why the server closed: a stable code and a sentence, for the log. */
export interface CloseCause {
  readonly code: string;
  readonly message: string;
}

export class Connection {
  readonly #deps: ConnectionDeps;
  readonly #peer: Peer;
  #closed = false;
  #lastMessageAt: number;
  readonly #openedAt: number;
  /** One timer for both limits, set for whichever comes first: a connection costs one, not two. */
  #limitTimer: Timer | undefined;

  constructor(deps: ConnectionDeps, peer: Peer) {
    this.#deps = deps;
    this.#peer = peer;
    this.#lastMessageAt = deps.clock.now();
    this.#openedAt = this.#lastMessageAt;
    this.#limitTimer = deps.clock.setTimer(Math.min(deps.limits.idleMs, deps.limits.lifetimeMs), () => this.#checkLimits());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A message arrived: the idle limit starts again. */
  touched(): void {
    this.#lastMessageAt = this.#deps.clock.now();
  }

  send(text: string): void {
    if (!this.#closed) this.#peer.send(text);
  }

  /** A client that does not read cannot make the server hold its answers without bound. */
  checkBackpressure(): void {
    const queued = this.#peer.bufferedAmount();
    const limit = this.#deps.limits.sendBufferBytes;
    if (queued > limit) {
      this.close(CloseCode.policyViolation, "Send buffer limit exceeded.", {
        code: "LIMIT_SEND_BUFFER",
        message: `${queued} bytes are queued unread by the client, more than ${limit}`,
      });
    }
  }

  /** The server closes, with the code and reason the client sees and the cause the log keeps. */
  close(code: number, reason: string, cause: CloseCause): void {
    if (this.#closed) return;
    this.#finish();
    const { connectionId, logger } = this.#deps;
    try {
      this.#peer.close(code, reason);
    } catch {
      // The transport is already gone; the journal still says what the server meant to do.
    }
    this.#deps.journal.record({ type: "close", connectionId, code, reason, initiator: "server" });
    logger({ type: "socket.close", connectionId, code, reason, initiator: "server", error: cause });
  }

  /**
   * The WebSocket layer failed the connection for a frame that breaks RFC 6455 and has already
   * sent its close frame: the server closed, and the journal says so.
   */
  failedByTransport(code: number, reason: string, cause: CloseCause): void {
    if (this.#closed) return;
    this.#finish();
    const { connectionId, logger } = this.#deps;
    this.#deps.journal.record({ type: "close", connectionId, code, reason, initiator: "server" });
    logger({ type: "socket.close", connectionId, code, reason, initiator: "server", error: cause });
  }

  /** The client closed (or the transport died). */
  clientClosed(code: number, reason: string): void {
    if (this.#closed) return;
    this.#finish();
    const { connectionId } = this.#deps;
    this.#deps.journal.record({ type: "close", connectionId, code, reason, initiator: "client" });
    this.#deps.logger({ type: "socket.close", connectionId, code, reason, initiator: "client" });
  }

  /** Closes for the lifetime or the idle limit, whichever is due, or sets the timer for the next. */
  #checkLimits(): void {
    if (this.#closed) return;
    const { clock, limits } = this.#deps;
    const now = clock.now();
    if (now - this.#openedAt >= limits.lifetimeMs) {
      this.close(CloseCode.normal, `Maximum connection lifetime exceeded (${seconds(limits.lifetimeMs)} s).`, {
        code: "LIMIT_LIFETIME",
        message: `The connection reached its lifetime of ${seconds(limits.lifetimeMs)} s`,
      });
      return;
    }
    const quiet = now - this.#lastMessageAt;
    if (quiet >= limits.idleMs) {
      this.close(CloseCode.normal, `Idle timeout exceeded (${seconds(limits.idleMs)} s).`, {
        code: "LIMIT_IDLE",
        message: `No message from the client for ${seconds(quiet)} s`,
      });
      return;
    }
    const next = Math.min(limits.idleMs - quiet, limits.lifetimeMs - (now - this.#openedAt));
    this.#limitTimer = clock.setTimer(next, () => this.#checkLimits());
  }

  #finish(): void {
    this.#closed = true;
    this.#limitTimer?.cancel();
    this.#deps.onClosing?.();
  }
}

const seconds = (ms: number): string => String(Math.round(ms / 100) / 10);
