/**
 * The handshake property: a valid WebSocket handshake, mutated (headers dropped, duplicated,
 * reordered, recased, oversized; the request line, method and version corrupted; bytes inserted;
 * cut short; CRs lost) with a credential that is valid or forged (keys changed, tokens with an
 * altered payload or signature, `alg: none`, HS256 signed with the public key, an unknown `kid`).
 * Each is answered or closed within a deadline, and a forged or absent credential, or a handshake
 * that breaks RFC 6455, never gets a 101.
 */
import { createHmac, randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import fc from "fast-check";
import type { SpawnedMock } from "../spawn.ts";
import {
  answerDeadlineMs,
  asciiString,
  type Context,
  type FuzzOptions,
  type FuzzReport,
  fuzz,
  latin1,
  type Runner,
  showBytes,
  speechPath,
} from "./run.ts";

/** The credential a case sends. Only `key` and `token` are valid; every other kind must be refused. */
export type CredentialSpec =
  | { kind: "key" }
  | { kind: "token" }
  | { kind: "key-in-query" }
  | { kind: "none" }
  | { kind: "key-random"; value: string }
  | { kind: "key-flip"; index: number; char: string }
  | { kind: "key-cut"; keep: number }
  | { kind: "key-extra"; extra: string }
  | { kind: "key-disabled" }
  | { kind: "key-wrong-region" }
  | { kind: "key-empty" }
  | { kind: "key-as-token" }
  | { kind: "key-huge"; size: number }
  | { kind: "token-random"; value: string }
  | { kind: "token-claim"; claim: string; value: string | number | null }
  | { kind: "token-signature"; index: number; xor: number }
  | { kind: "token-signature-cut"; keep: number }
  | { kind: "token-alg-none"; keepSignature: boolean }
  | { kind: "token-hs256"; secret: "jwk" | "x" | "random"; random: string }
  | { kind: "token-kid"; kid: string }
  | { kind: "token-header-swap" }
  | { kind: "token-scheme"; scheme: string }
  | { kind: "token-twice" }
  | { kind: "key-twice" }
  | { kind: "token-and-key-forged" };

/** One change to the structured request. Tagged so a counterexample reads as what was done. */
export type HeaderMutation =
  | { op: "drop"; at: number }
  | { op: "duplicate"; at: number }
  | { op: "swap"; a: number; b: number }
  | { op: "case"; at: number; mode: "upper" | "lower" | "random"; bits: number }
  | { op: "add"; name: string; value: string }
  | { op: "add-huge"; size: number }
  | { op: "add-non-ascii"; bytes: number[] }
  | { op: "value-huge"; at: number; size: number }
  | { op: "method"; value: string }
  | { op: "version"; value: string }
  | { op: "target"; value: string }
  | { op: "ws-version"; value: string }
  | { op: "ws-key"; value: string }
  | { op: "upgrade"; value: string }
  | { op: "connection"; value: string };

/** Changes to the serialized bytes: after these, whether the server may upgrade is not tracked. */
export type ByteMutation =
  | { op: "insert"; at: number; bytes: number[] }
  | { op: "truncate"; at: number }
  | { op: "strip-cr"; every: number }
  | { op: "no-final-crlf" };

export interface HandshakeCase {
  credential: CredentialSpec;
  headerMutations: HeaderMutation[];
  byteMutations: ByteMutation[];
  wsKey: number[];
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");
const unb64url = (s: string) => Buffer.from(s, "base64url");

const b64urlString = (minLength: number, maxLength: number) =>
  fc.string({
    unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
    minLength,
    maxLength,
  });
const hexChar = fc.constantFrom(..."0123456789abcdefABCDEF");

const credentialArb: fc.Arbitrary<CredentialSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "key" as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: "token" as const }) },
  fc.constant({ kind: "key-in-query" as const }),
  fc.constant({ kind: "none" as const }),
  asciiString(64).map((value) => ({ kind: "key-random" as const, value })),
  fc.record({ kind: fc.constant("key-flip" as const), index: fc.nat(31), char: hexChar }),
  fc.record({ kind: fc.constant("key-cut" as const), keep: fc.nat(31) }),
  fc.record({
    kind: fc.constant("key-extra" as const),
    extra: fc.string({ unit: fc.constantFrom(..."0123456789abcdefXYZ,;=/"), minLength: 1, maxLength: 8 }),
  }),
  fc.constant({ kind: "key-disabled" as const }),
  fc.constant({ kind: "key-wrong-region" as const }),
  fc.constant({ kind: "key-empty" as const }),
  fc.constant({ kind: "key-as-token" as const }),
  fc.record({ kind: fc.constant("key-huge" as const), size: fc.integer({ min: 1_000, max: 20_000 }) }),
  fc
    .oneof(
      b64urlString(0, 400),
      fc.tuple(b64urlString(1, 60), b64urlString(1, 200), b64urlString(0, 90)).map((p) => p.join(".")),
      fc.tuple(b64urlString(1, 40), b64urlString(1, 40), b64urlString(1, 40), b64urlString(1, 40)).map((p) => p.join(".")),
      fc.tuple(fc.json(), fc.json(), b64urlString(0, 86)).map(([h, p, s]) => `${b64url(h)}.${b64url(p)}.${s}`),
    )
    .map((value) => ({ kind: "token-random" as const, value })),
  fc.record({
    kind: fc.constant("token-claim" as const),
    claim: fc.constantFrom("aud", "exp", "iss", "region", "subscriptionId", "resourceId", "scope", "nbf", "extra"),
    value: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null), fc.constant(9_999_999_999)),
  }),
  fc.record({ kind: fc.constant("token-signature" as const), index: fc.nat(63), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("token-signature-cut" as const), keep: fc.nat(85) }),
  fc.record({ kind: fc.constant("token-alg-none" as const), keepSignature: fc.boolean() }),
  fc.record({
    kind: fc.constant("token-hs256" as const),
    secret: fc.constantFrom("jwk" as const, "x" as const, "random" as const),
    random: asciiString(32),
  }),
  fc.record({
    kind: fc.constant("token-kid" as const),
    kid: fc.oneof(asciiString(20), fc.constantFrom("key2", "KEY1", "key1 ", "", "../key1")),
  }),
  fc.constant({ kind: "token-header-swap" as const }),
  fc.record({ kind: fc.constant("token-scheme" as const), scheme: fc.constantFrom("", "Basic ", "Bearer", "Token ", "Bearer=") }),
  fc.constant({ kind: "token-twice" as const }),
  fc.constant({ kind: "key-twice" as const }),
  fc.constant({ kind: "token-and-key-forged" as const }),
);

/** Header indexes are taken modulo the current header count, so shrinking keeps them meaningful. */
const index = fc.nat(20);
const headerMutationArb: fc.Arbitrary<HeaderMutation> = fc.oneof(
  fc.record({ op: fc.constant("drop" as const), at: index }),
  fc.record({ op: fc.constant("duplicate" as const), at: index }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant("swap" as const), a: index, b: index }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("case" as const),
      at: index,
      mode: fc.constantFrom("upper" as const, "lower" as const, "random" as const),
      bits: fc.nat(),
    }),
  },
  fc.record({
    op: fc.constant("add" as const),
    name: fc.oneof(
      fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz-"), minLength: 1, maxLength: 12 }).map((s) => `X-Fuzz-${s}`),
      fc.constantFrom(
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions",
        "Origin",
        "Content-Length",
        "Transfer-Encoding",
        "Expect",
        "X-ConnectionId",
        "Upgrade",
        "Connection",
      ),
    ),
    value: asciiString(40),
  }),
  fc.record({ op: fc.constant("add-huge" as const), size: fc.integer({ min: 1_000, max: 20_480 }) }),
  fc.record({
    op: fc.constant("add-non-ascii" as const),
    bytes: fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant("value-huge" as const), at: index, size: fc.integer({ min: 1_000, max: 20_480 }) }),
  fc.record({
    op: fc.constant("method" as const),
    value: fc.oneof(fc.constantFrom("POST", "HEAD", "PUT", "OPTIONS", "get", "GET GET", "CONNECT", "G\0T", ""), asciiString(10)),
  }),
  fc.record({
    op: fc.constant("version" as const),
    value: fc.oneof(
      fc.constantFrom("HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1.1x", "HTTP/11", "HTTP/1.", "", "HTTP/3"),
      asciiString(10),
    ),
  }),
  fc.record({
    op: fc.constant("target" as const),
    value: fc.oneof(
      fc.constantFrom(
        "/",
        "*",
        "/speech/recognition/interactive/cognitiveservices/v1",
        "//speech/..",
        "/speech/recognition/dictation/cognitiveservices/v1?language=en-US",
        "http://x/speech",
      ),
      asciiString(60).map((s) => `/${s.replaceAll(" ", "%20")}`),
    ),
  }),
  fc.record({
    op: fc.constant("ws-version" as const),
    value: fc.constantFrom("", "12", "14", "0", "1 3", "13x", "thirteen", "-13", "130"),
  }),
  fc.record({
    op: fc.constant("ws-key" as const),
    value: fc.oneof(
      fc.constantFrom(
        "",
        "dGhlIHNhbXBsZSBub25jZQ",
        "dGhlIHNhbXBsZSBub25jZQ=",
        "dGhlIHNhbXBsZSBub25jZQ===",
        "AAAAAAAAAAAAAAAAAAAAAAAA",
        "!!!!!!!!!!!!!!!!!!!!!A==",
      ),
      fc
        .uint8Array({ minLength: 1, maxLength: 40 })
        .filter((b) => b.length !== 16)
        .map((b) => Buffer.from(b).toString("base64")),
    ),
  }),
  fc.record({ op: fc.constant("upgrade" as const), value: fc.constantFrom("", "h2c", "websockets", "web socket", "tls/1.0") }),
  fc.record({ op: fc.constant("connection" as const), value: fc.constantFrom("", "keep-alive", "close", "Upgrad", "Upgrade-Insecure") }),
);

const byteMutationArb: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
      fc.constantFrom<number[]>([13, 10], [10], [13], [0], [32], [58], [13, 10, 13, 10], [0xc3, 0x28], [0xff, 0xfe]),
    ),
  }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("strip-cr" as const), every: fc.integer({ min: 1, max: 4 }) }),
  fc.constant({ op: "no-final-crlf" as const }),
);

export const handshakeCaseArb: fc.Arbitrary<HandshakeCase> = fc.record({
  credential: credentialArb,
  headerMutations: fc.oneof(
    { weight: 1, arbitrary: fc.constant<HeaderMutation[]>([]) },
    { weight: 3, arbitrary: fc.array(headerMutationArb, { maxLength: 4 }) },
  ),
  byteMutations: fc.oneof(
    { weight: 4, arbitrary: fc.constant<ByteMutation[]>([]) },
    { weight: 1, arbitrary: fc.array(byteMutationArb, { minLength: 1, maxLength: 2 }) },
  ),
  wsKey: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
});

function forgeToken(valid: string, spec: CredentialSpec, jwk: Record<string, unknown>): string {
  const [h = "", p = "", s = ""] = valid.split(".");
  const header = JSON.parse(unb64url(h).toString("utf8")) as Record<string, unknown>;
  const payload = JSON.parse(unb64url(p).toString("utf8")) as Record<string, unknown>;
  const hs256 = (secret: string | Buffer, hdr: Record<string, unknown>) => {
    const input = `${b64url(JSON.stringify(hdr))}.${b64url(JSON.stringify(payload))}`;
    return `${input}.${b64url(createHmac("sha256", secret).update(input).digest())}`;
  };
  switch (spec.kind) {
    case "token-claim": {
      const changed = { ...payload, [spec.claim]: spec.value };
      // An unchanged payload would be the valid token; make sure it differs.
      if (JSON.stringify(changed) === JSON.stringify(payload)) changed.fuzz = 1;
      return `${h}.${b64url(JSON.stringify(changed))}.${s}`;
    }
    case "token-signature": {
      const sig = unb64url(s);
      const i = spec.index % sig.length;
      sig[i] = (sig[i] as number) ^ spec.xor;
      return `${h}.${p}.${b64url(sig)}`;
    }
    case "token-signature-cut":
      return `${h}.${p}.${s.slice(0, spec.keep % s.length)}`;
    case "token-alg-none":
      return `${b64url(JSON.stringify({ ...header, alg: "none" }))}.${p}.${spec.keepSignature ? s : ""}`;
    case "token-hs256": {
      const secret = spec.secret === "jwk" ? JSON.stringify(jwk) : spec.secret === "x" ? unb64url(String(jwk.x ?? "")) : spec.random;
      return hs256(secret, { ...header, alg: "HS256" });
    }
    case "token-kid":
      return `${b64url(JSON.stringify({ ...header, kid: spec.kid === header.kid ? `${spec.kid}x` : spec.kid }))}.${p}.${s}`;
    case "token-header-swap":
      return `${p}.${h}.${s}`;
    default:
      return valid;
  }
}

/** The credential's header lines, or a query parameter for `key-in-query`. */
function credentialLines(
  spec: CredentialSpec,
  ctx: Context,
  mock: SpawnedMock,
  token: string,
): { headers: [string, string][]; query: string } {
  const key = ctx.key;
  const res = mock.ready.resources;
  const keyH = (v: string): [string, string][] => [["Ocp-Apim-Subscription-Key", v]];
  const authH = (v: string): [string, string][] => [["Authorization", `Bearer ${v}`]];
  switch (spec.kind) {
    case "key":
      return { headers: keyH(key), query: "" };
    case "token":
      return { headers: authH(token), query: "" };
    case "key-in-query":
      return { headers: [], query: `&Ocp-Apim-Subscription-Key=${key}` };
    case "none":
      return { headers: [], query: "" };
    case "key-random":
      return { headers: keyH(spec.value === key ? `${key}0` : spec.value), query: "" };
    case "key-flip": {
      const c = key[spec.index % key.length] ?? "";
      const char = c.toLowerCase() === spec.char.toLowerCase() ? (c === "0" ? "1" : "0") : spec.char;
      const i = spec.index % key.length;
      return { headers: keyH(`${key.slice(0, i)}${char}${key.slice(i + 1)}`), query: "" };
    }
    case "key-cut":
      return { headers: keyH(key.slice(0, spec.keep % key.length)), query: "" };
    case "key-extra":
      return { headers: keyH(`${key}${spec.extra}`), query: "" };
    case "key-disabled":
      return { headers: keyH(res.find((r) => r.state === "disabled")?.keys[0] ?? "disabled"), query: "" };
    case "key-wrong-region":
      return { headers: keyH(res.find((r) => r.state === "enabled" && r.region !== mock.ready.region)?.keys[0] ?? "elsewhere"), query: "" };
    case "key-empty":
      return { headers: keyH(""), query: "" };
    case "key-as-token":
      return { headers: authH(key), query: "" };
    case "key-huge":
      return { headers: keyH(key.repeat(Math.ceil(spec.size / key.length)).slice(0, spec.size)), query: "" };
    case "token-random":
      return { headers: authH(spec.value === token ? `${token}x` : spec.value), query: "" };
    case "token-scheme":
      return { headers: [["Authorization", `${spec.scheme}${token}`]], query: "" };
    case "token-twice":
      return { headers: [...authH(token), ...authH(token)], query: "" };
    case "key-twice":
      return { headers: [...keyH(key), ...keyH(key)], query: "" };
    case "token-and-key-forged":
      return {
        headers: [...authH(forgeToken(token, { kind: "token-alg-none", keepSignature: false }, ctx.jwks)), ...keyH(`${key}00`)],
        query: "",
      };
    default:
      return { headers: authH(forgeToken(token, spec, ctx.jwks)), query: "" };
  }
}

const credentialNames = new Set(["ocp-apim-subscription-key", "authorization"]);

interface BuiltRequest {
  bytes: Buffer;
  /** The credential the server sees is the valid one, untouched. */
  credentialValid: boolean;
  /** A byte mutation was applied: what the server parses is not tracked. */
  bytesMutated: boolean;
  /** A mutation broke RFC 6455 (section 4.2.1) in a way no server may accept. */
  rfcBroken: string | undefined;
  /** Could end before the blank line: the client half-closes if no answer comes quickly. */
  mayBeIncomplete: boolean;
}

/**
 * The token an Authorization value presents, as the mock reads it (mock-server/gate/credentials.ts):
 * `Bearer <jwt>` with the scheme in any case, or a bare JWT, as old SDKs send it.
 */
function presentedToken(value: string): string | undefined {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  if (space === -1) return trimmed;
  return trimmed.slice(0, space).toLowerCase() === "bearer" ? trimmed.slice(space).trim() : undefined;
}

function recase(name: string, mode: "upper" | "lower" | "random", bits: number): string {
  if (mode === "upper") return name.toUpperCase();
  if (mode === "lower") return name.toLowerCase();
  return [...name].map((c, i) => ((bits >> (i % 30)) & 1 ? c.toUpperCase() : c.toLowerCase())).join("");
}

export function buildHandshake(c: HandshakeCase, ctx: Context, mock: SpawnedMock, token: string): BuiltRequest {
  const cred = credentialLines(c.credential, ctx, mock, token);
  let rfcBroken: string | undefined;
  let method = "GET";
  let version = "HTTP/1.1";
  let target = `${speechPath}${cred.query}`;
  const headers: [string, string][] = [
    ["Host", `${ctx.host}:${ctx.port}`],
    ["Connection", "Upgrade"],
    ["Upgrade", "websocket"],
    ["Sec-WebSocket-Version", "13"],
    ["Sec-WebSocket-Key", Buffer.from(c.wsKey).toString("base64")],
    ...cred.headers,
    ["X-ConnectionId", randomUUID().replaceAll("-", "").toUpperCase()],
  ];
  const setValue = (name: string, value: string) => {
    const h = headers.find(([n]) => n.toLowerCase() === name.toLowerCase());
    if (h) h[1] = value;
    else headers.push([name, value]);
  };
  const rfcName = (i: number) => (headers[i]?.[0] ?? "").toLowerCase();
  const mandatory = new Set(["connection", "upgrade", "sec-websocket-version", "sec-websocket-key"]);
  for (const m of c.headerMutations) {
    const n = headers.length;
    switch (m.op) {
      case "drop": {
        if (n === 0) break;
        const at = m.at % n;
        if (mandatory.has(rfcName(at)) && !headers.some(([name], i) => i !== at && name.toLowerCase() === rfcName(at))) {
          rfcBroken ??= `no ${headers[at]?.[0]} header`;
        }
        headers.splice(at, 1);
        break;
      }
      case "duplicate": {
        if (n === 0) break;
        const at = m.at % n;
        const h = headers[at];
        if (!h) break;
        headers.splice(at, 0, [h[0], h[1]]);
        break;
      }
      case "swap": {
        if (n === 0) break;
        const a = headers[m.a % n];
        const b = headers[m.b % n];
        if (a && b) {
          headers[m.a % n] = b;
          headers[m.b % n] = a;
        }
        break;
      }
      case "case": {
        const h = n === 0 ? undefined : headers[m.at % n];
        if (h) h[0] = recase(h[0], m.mode, m.bits);
        break;
      }
      case "add":
        // A second credential-like or framing header changes what the server must do; the
        // names generated here are not credentials, but Content-Length and friends can make
        // the server wait for a body.
        headers.push([m.name, m.value]);
        break;
      case "add-huge":
        headers.push(["X-Fuzz-Huge", "a".repeat(m.size)]);
        break;
      case "add-non-ascii":
        headers.push(["X-Fuzz-Bytes", latin1(new Uint8Array(m.bytes))]);
        break;
      case "value-huge": {
        if (n === 0) break;
        const at = m.at % n;
        const h = headers[at];
        if (!h) break;
        if (mandatory.has(rfcName(at))) rfcBroken ??= `a ${m.size}-byte ${h[0]}`;
        h[1] = `${h[1]}${"x".repeat(m.size)}`;
        break;
      }
      case "method":
        if (m.value !== "GET") rfcBroken ??= `method ${JSON.stringify(m.value)}`;
        method = m.value;
        break;
      case "version":
        if (m.value !== "HTTP/1.1") rfcBroken ??= `version ${JSON.stringify(m.value)}`;
        version = m.value;
        break;
      case "target":
        target = m.value;
        break;
      case "ws-version":
        rfcBroken ??= `Sec-WebSocket-Version ${JSON.stringify(m.value)}`;
        setValue("Sec-WebSocket-Version", m.value);
        break;
      case "ws-key":
        rfcBroken ??= `Sec-WebSocket-Key ${JSON.stringify(m.value)}`;
        setValue("Sec-WebSocket-Key", m.value);
        break;
      case "upgrade":
        rfcBroken ??= `Upgrade ${JSON.stringify(m.value)}`;
        setValue("Upgrade", m.value);
        break;
      case "connection":
        rfcBroken ??= `Connection ${JSON.stringify(m.value)}`;
        setValue("Connection", m.value);
        break;
    }
  }
  // Headers added after a mandatory one was set twice, or duplicates of it, can make the
  // handshake invalid in ways not tracked here; only the mutations above are classified.
  // What the server sees: exactly one credential, byte for byte the valid one (or the key in the
  // query with no credential header). Anything else (none, two, a changed value) must be refused.
  const sent = headers.filter(([n]) => credentialNames.has(n.toLowerCase()));
  const [only] = sent;
  const credentialValid =
    sent.length === 1 && only
      ? only[0].toLowerCase() === "authorization"
        ? presentedToken(only[1]) === token
        : only[1].trim() === ctx.key
      : sent.length === 0 && cred.query !== "" && target.endsWith(cred.query);
  const duplicatedMandatory = [...mandatory].some((name) => headers.filter(([n]) => n.toLowerCase() === name).length > 1);
  if (duplicatedMandatory) rfcBroken = undefined;
  let bytes = Buffer.from(`${method} ${target} ${version}\r\n${headers.map(([n, v]) => `${n}: ${v}`).join("\r\n")}\r\n\r\n`, "latin1");
  if (method === "" || version === "") bytes = Buffer.from(bytes.toString("latin1").replace(/^ | (?=\r\n)/, ""), "latin1");
  for (const m of c.byteMutations) {
    switch (m.op) {
      case "insert": {
        const at = m.at % (bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
        break;
      }
      case "truncate":
        bytes = bytes.subarray(0, m.at % Math.max(1, bytes.length));
        break;
      case "strip-cr": {
        let k = 0;
        bytes = Buffer.from(
          bytes.toString("latin1").replace(/\r\n/g, () => (k++ % m.every === 0 ? "\n" : "\r\n")),
          "latin1",
        );
        break;
      }
      case "no-final-crlf":
        if (bytes.subarray(-4).toString("latin1") === "\r\n\r\n") bytes = bytes.subarray(0, bytes.length - 2);
        break;
    }
  }
  const bytesMutated = c.byteMutations.length > 0;
  return {
    bytes,
    credentialValid: credentialValid && !bytesMutated,
    bytesMutated,
    rfcBroken: bytesMutated ? undefined : rfcBroken,
    mayBeIncomplete: bytesMutated || c.headerMutations.some((m) => m.op === "add"),
  };
}

type Answer = { kind: "status"; status: number; line: string } | { kind: "closed"; bytes: Buffer } | { kind: "hang"; bytes: Buffer };

/** Sends the bytes on a fresh socket and reads the status line, or the close, within the deadline. */
async function exchangeHandshake(ctx: Context, bytes: Buffer, mayBeIncomplete: boolean): Promise<Answer> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: ctx.host, port: ctx.port }, () => resolve(s));
    s.once("error", reject);
  });
  let got = Buffer.alloc(0);
  let closed = false;
  let wake: (() => void) | undefined;
  socket.on("data", (d: Buffer) => {
    got = Buffer.concat([got, d]);
    wake?.();
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    closed = true;
    wake?.();
  });
  const answered = () => got.includes("\r\n") || closed;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (answered()) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        if (answered()) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  try {
    socket.write(bytes);
    if (mayBeIncomplete) {
      // The request may not be over: when no answer comes quickly, say so by half-closing.
      await wait(400);
      if (!answered()) socket.end();
    }
    await wait(answerDeadlineMs);
    const line = got.subarray(0, Math.max(0, got.indexOf("\r\n"))).toString("latin1");
    const m = /^HTTP\/\d\.\d (\d{3})/.exec(line);
    if (m) return { kind: "status", status: Number(m[1]), line };
    if (closed) return { kind: "closed", bytes: got };
    return { kind: "hang", bytes: got };
  } finally {
    socket.destroy();
  }
}

function describeHandshake(c: HandshakeCase): string {
  return JSON.stringify(c, (_k, v: unknown) => (typeof v === "string" && v.length > 200 ? `${v.slice(0, 200)}…(${v.length})` : v));
}

const handshakeRunner: Runner<HandshakeCase> = {
  property: "handshakes",
  arbitrary: handshakeCaseArb,
  describe: describeHandshake,
  async run(mock, c, ctx) {
    const token = await ctx.token.get();
    const req = buildHandshake(c, ctx, mock, token);
    const answer = await exchangeHandshake(ctx, req.bytes, req.mayBeIncomplete);
    const fail = (why: string): never => {
      throw new Error(`${why}\n  case: ${describeHandshake(c)}\n  bytes sent: ${showBytes(req.bytes)}`);
    };
    if (answer.kind === "hang") fail(`no status line and no close within ${answerDeadlineMs} ms (got ${showBytes(answer.bytes)})`);
    if (answer.kind === "status" && answer.status === 101) {
      if (!req.credentialValid && !req.bytesMutated) fail(`101 for an invalid credential (${c.credential.kind}): ${answer.line}`);
      if (req.rfcBroken) fail(`101 for a handshake with ${req.rfcBroken}: ${answer.line}`);
    }
    const onlyHarmless = c.byteMutations.length === 0 && c.headerMutations.every((m) => m.op === "swap" || m.op === "case");
    if (req.credentialValid && onlyHarmless && !(answer.kind === "status" && answer.status === 101)) {
      fail(
        `a valid handshake (headers only reordered or recased) was not upgraded: ${answer.kind === "status" ? answer.line : answer.kind}`,
      );
    }
    const label = answer.kind === "status" ? `status ${answer.status}` : answer.kind;
    return req.bytesMutated && label === "status 101" ? "status 101 (bytes mutated)" : label;
  },
};

export function fuzzHandshakes(mock: SpawnedMock, opts: FuzzOptions = {}): Promise<FuzzReport> {
  return fuzz(mock, handshakeRunner, opts);
}
