/**
 * DNS server test fixture: real UDP + TCP DNS servers on loopback, built on dns-packet.
 *
 * Quick start (a whole "world": one resolver plus authoritative servers):
 *
 *   const world = await startDnsWorld({ zones: [{ origin: "acme.com" }] });
 *   world.publish({ name: "_verify.acme.com", type: "TXT", data: "token" });
 *   await verifyDomainRecords(input, {
 *     resolvers: world.resolvers,
 *     authoritativePort: world.authoritativePort,
 *     allowPrivateNameservers: true,            // the nameservers are on loopback (DNS_ALLOW_PRIVATE_NAMESERVERS)
 *   });
 *   await world.close();                       // in afterAll/afterEach: releases every socket
 *
 * - The resolver listens on 127.0.0.1:<random>; authoritative servers on 127.0.0.2,
 *   127.0.0.3, … all on one shared random port (`world.authoritativePort`). Each zone gets
 *   NS records `ns1.<first zone>`, `ns2.<first zone>`, … with matching A records (glue).
 * - Each authoritative server has its own {@link ZoneData} (`world.authoritative[i].data`),
 *   so tests can make them disagree; `world.publish/unpublish` change all of them.
 * - The resolver "recurses" by reading the first authoritative server's data live (no
 *   caching) unless told otherwise: `world.resolver.cacheNegative(name, {...})` makes it
 *   answer a cached NXDOMAIN/NODATA with a given SOA TTL.
 * - Misbehaviour, per server and optionally per name/type/transport:
 *   `server.addRule({ name, type, transport, delayMs, times, action })` with actions
 *   `drop`, `rcode` (SERVFAIL, REFUSED, …), `truncate` (TC over UDP, full answer over TCP),
 *   `wrong_id` / `wrong_question` (a decoy reply first, then optionally the real one),
 *   `malformed` (right id and question, corrupt body), `raw` (any bytes you build), and two
 *   kinds of lame server: `not_authoritative` (the data, AA clear, RA set: a cache answering)
 *   and `referral` (NS records of another zone in the authority section, AA and RA clear).
 * - Delegations: NS records at a name below a zone's apex make an authoritative server answer
 *   every name at or under it with a referral (AA clear, NS in authority, in-zone glue in
 *   additional), as real servers do. `startDnsWorld({ resolver: "referrals" })` puts such a
 *   server on 127.0.0.1 instead of the resolver: it serves the top-level zones (`com`, `test`…)
 *   delegating each zone to the world's nameservers, and does not recurse (RA clear).
 *   `server.delayMs` delays every reply. Replies larger than the client's EDNS size (512
 *   without EDNS) are truncated over UDP automatically, so big TXT sets force TCP.
 * - `server.queries` logs every query received (name, type, transport, RD bit, EDNS size).
 * - Only loopback addresses are accepted: the fixture can never serve or reach the network.
 *
 * Standalone servers: `startDnsServer({ role: "authoritative", zones: [...] })` or
 * `startDnsServer({ role: "resolver", sources: () => [data] })`.
 */
import dgram from "node:dgram";
import type { EventEmitter } from "node:events";
import net from "node:net";
import * as dnsPacket from "dns-packet";
import { formatServerAddress, type ServerAddress } from "../../lib/dns/servers";
import type { RecordOf } from "../../lib/dns/types";

/** An SOA record's data, as the engine reads it (lib/dns/types.ts). */
export type SoaFields = Omit<RecordOf<"SOA">, "type" | "name" | "ttl">;

export type FixtureRecord =
  | { name: string; type: "A" | "AAAA" | "CNAME" | "NS"; ttl?: number; data: string }
  | { name: string; type: "MX"; ttl?: number; data: { preference: number; exchange: string } }
  /** A string is one character-string (split into 255-byte chunks on the wire); an array is the strings of one record. */
  | { name: string; type: "TXT"; ttl?: number; data: string | string[] }
  | { name: string; type: "SOA"; ttl?: number; data: SoaFields };

export type FixtureRecordType = FixtureRecord["type"];

export interface ZoneSpec {
  origin: string;
  /** Overrides of the generated SOA; `ttl` is the SOA record's own TTL (default 3600). */
  soa?: Partial<SoaFields> & { ttl?: number };
  records?: FixtureRecord[];
}

export type Misbehavior =
  | { kind: "drop" }
  | { kind: "rcode"; rcode: "SERVFAIL" | "REFUSED" | "NOTIMP" | "FORMERR" | "NXDOMAIN" }
  | { kind: "truncate" }
  | { kind: "wrong_id"; thenAnswer?: boolean }
  | { kind: "wrong_question"; thenAnswer?: boolean }
  | { kind: "malformed" }
  | { kind: "raw"; reply: (query: Buffer, transport: "udp" | "tcp") => Buffer | Buffer[] | null }
  /** Lame: the server's data with AA clear and RA set, as a recursive cache would answer. */
  | { kind: "not_authoritative" }
  /** Lame: a referral to `zone` (its NS names, no glue), AA and RA clear. */
  | { kind: "referral"; zone: string; nameservers?: string[] };

export interface Rule {
  /** Query name to match (case-insensitive, trailing dot ignored); any when omitted. */
  name?: string;
  type?: string;
  transport?: "udp" | "tcp";
  /** Extra delay before replying (adds to the server's `delayMs`). */
  delayMs?: number;
  action?: Misbehavior;
  /** Apply to the first N matching queries only. */
  times?: number;
}

export interface QueryLogEntry {
  name: string;
  type: string;
  transport: "udp" | "tcp";
  recursionDesired: boolean;
  /** Advertised EDNS UDP payload size, null without an OPT record. */
  ednsUdpSize: number | null;
  id: number;
  /** Where the query came from (UDP source port / TCP peer). */
  source: { address: string; port: number };
}

const DEFAULT_TTL = 300;

/** Resolves when `start` calls back, rejects with the first error `emitter` emits before that. */
function started(emitter: EventEmitter, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    emitter.once("error", reject);
    start(() => {
      emitter.off("error", reject);
      resolve();
    });
  });
}

const norm = (name: string): string => name.trim().toLowerCase().replace(/\.$/, "");
const isUnder = (name: string, zone: string): boolean => name === zone || name.endsWith(`.${zone}`);

function assertLoopback(host: string): void {
  if (!(net.isIPv4(host) && host.startsWith("127.")) && host !== "::1") {
    throw new Error(`dns-server fixture: ${host} is not a loopback address; tests must stay on 127.0.0.0/8 or ::1`);
  }
}

interface Zone {
  origin: string;
  soa: FixtureRecord & { type: "SOA" };
}

export interface ResolveResult {
  rcode: "NOERROR" | "NXDOMAIN" | "REFUSED" | "SERVFAIL";
  answers: FixtureRecord[];
  authorities: FixtureRecord[];
  additionals: FixtureRecord[];
  /** The chain left this data at this CNAME target (another zone). */
  pendingTarget?: string;
  /** False for referrals (AA clear); true when omitted. */
  authoritative?: boolean;
}

/** A mutable, in-memory set of zones and records, as one authoritative server holds them. */
export class ZoneData {
  private readonly zoneList: Zone[] = [];
  private list: FixtureRecord[] = [];
  /** Lookups by name, rebuilt after a change: a benchmark's world holds thousands of zones. */
  private index: { zones: Map<string, Zone>; byName: Map<string, FixtureRecord[]>; parents: Set<string>; position: Map<FixtureRecord, number> } | null = null;

  constructor(zones: ZoneSpec[] = []) {
    for (const zone of zones) this.addZone(zone);
  }

  addZone(spec: ZoneSpec): this {
    const origin = norm(spec.origin);
    const { ttl, ...fields } = spec.soa ?? {};
    this.zoneList.push({
      origin,
      soa: {
        name: origin,
        type: "SOA",
        ttl: ttl ?? 3600,
        data: {
          mname: `ns1.${origin}`,
          rname: `hostmaster.${origin}`,
          serial: 1,
          refresh: 3600,
          retry: 600,
          expire: 86400,
          minimum: 300,
          ...fields,
        },
      },
    });
    this.index = null;
    this.add(...(spec.records ?? []));
    return this;
  }

  get zones(): string[] {
    return this.zoneList.map((z) => z.origin);
  }

  add(...records: FixtureRecord[]): this {
    for (const r of records) this.list.push({ ...r, name: norm(r.name) } as FixtureRecord);
    this.index = null;
    return this;
  }

  /** Removes records at `name` (of `type` when given); returns how many went. */
  remove(name: string, type?: FixtureRecordType): number {
    const before = this.list.length;
    this.list = this.list.filter((r) => !(r.name === norm(name) && (type === undefined || r.type === type)));
    this.index = null;
    return before - this.list.length;
  }

  /** Replaces the records at `name` of `type` by `records`. */
  set(name: string, type: FixtureRecordType, records: FixtureRecord[]): this {
    this.remove(name, type);
    return this.add(...records);
  }

  records(): readonly FixtureRecord[] {
    return this.list;
  }

  clone(): ZoneData {
    const copy = new ZoneData();
    for (const zone of this.zoneList) copy.zoneList.push({ origin: zone.origin, soa: { ...zone.soa, data: { ...zone.soa.data } } });
    copy.list = this.list.map((r) => ({ ...r }) as FixtureRecord);
    return copy;
  }

  private indexed() {
    if (this.index) return this.index;
    const zones = new Map<string, Zone>();
    for (const zone of this.zoneList) if (!zones.has(zone.origin)) zones.set(zone.origin, zone);
    const byName = new Map<string, FixtureRecord[]>();
    const parents = new Set<string>();
    const position = new Map<FixtureRecord, number>();
    this.list.forEach((record, i) => {
      position.set(record, i);
      byName.set(record.name, [...(byName.get(record.name) ?? []), record]);
      const labels = record.name.split(".");
      for (let j = 1; j < labels.length; j += 1) parents.add(labels.slice(j).join("."));
    });
    this.index = { zones, byName, parents, position };
    return this.index;
  }

  zoneFor(name: string): Zone | null {
    const { zones } = this.indexed();
    const labels = norm(name).split(".");
    // Deepest enclosing zone first.
    for (let i = 0; i < labels.length; i += 1) {
      const zone = zones.get(labels.slice(i).join("."));
      if (zone) return zone;
    }
    return null;
  }

  private named(name: string): FixtureRecord[] {
    return this.indexed().byName.get(name) ?? [];
  }

  private at(name: string): FixtureRecord[] {
    const zone = this.zoneFor(name);
    const own = this.named(name);
    return zone && zone.origin === name ? [zone.soa, ...own] : own;
  }

  private exists(name: string): boolean {
    return this.at(name).length > 0 || this.indexed().parents.has(name);
  }

  glue(targets: string[]): FixtureRecord[] {
    const { position } = this.indexed();
    return [...new Set(targets)]
      .flatMap((target) => this.named(target).filter((r) => r.type === "A" || r.type === "AAAA"))
      .sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  }

  /** The topmost delegation (NS records below the apex) at or above `name` inside `zone`, if any. */
  private delegationFor(name: string, zone: Zone): FixtureRecord[] | null {
    if (name === zone.origin) return null;
    const below = name.slice(0, -(zone.origin.length + 1)).split(".");
    for (let i = below.length - 1; i >= 0; i -= 1) {
      const candidate = `${below.slice(i).join(".")}.${zone.origin}`;
      const ns = this.named(candidate).filter((r) => r.type === "NS");
      if (ns.length > 0) return ns;
    }
    return null;
  }

  /** Answers as an authoritative server for these zones would (AA semantics, SOA on negatives). */
  resolve(qname: string, qtype: string): ResolveResult {
    let name = norm(qname);
    const first = this.zoneFor(name);
    if (!first) return { rcode: "REFUSED", answers: [], authorities: [], additionals: [] };
    const answers: FixtureRecord[] = [];
    const seen = new Set<string>([name]);
    for (let hop = 0; hop < 16; hop += 1) {
      const zone = this.zoneFor(name);
      if (!zone) return { rcode: "NOERROR", answers, authorities: [], additionals: [], pendingTarget: name };
      const delegation = this.delegationFor(name, zone);
      if (delegation) {
        // Below a zone cut this server knows only where to send the asker.
        const additionals = this.glue(delegation.flatMap((r) => (r.type === "NS" ? [norm(r.data)] : [])));
        return { rcode: "NOERROR", answers, authorities: delegation, additionals, authoritative: answers.length > 0 };
      }
      const here = this.at(name);
      const cname = qtype !== "CNAME" ? here.find((r) => r.type === "CNAME") : undefined;
      if (cname && cname.type === "CNAME") {
        answers.push(cname);
        const target = norm(cname.data);
        if (seen.has(target)) return { rcode: "NOERROR", answers, authorities: [], additionals: [] };
        seen.add(target);
        name = target;
        continue;
      }
      const matches = here.filter((r) => r.type === qtype);
      if (matches.length > 0) {
        answers.push(...matches);
        const additionals = qtype === "NS" ? this.glue(matches.flatMap((r) => (r.type === "NS" ? [norm(r.data)] : []))) : [];
        return { rcode: "NOERROR", answers, authorities: [], additionals };
      }
      return { rcode: this.exists(name) ? "NOERROR" : "NXDOMAIN", answers, authorities: [zone.soa], additionals: [] };
    }
    return { rcode: "NOERROR", answers, authorities: [], additionals: [] };
  }
}

export interface NegativeCacheEntry {
  kind: "nxdomain" | "nodata";
  /** Remaining negative-cache time, sent as the SOA's TTL and minimum. */
  ttl: number;
  /** Only for this type; all types when omitted. */
  type?: string;
}

export interface DnsServerOptions {
  role: "authoritative" | "resolver";
  /** Loopback only (default 127.0.0.1). */
  host?: string;
  /** 0 = random (default). UDP and TCP share it. */
  port?: number;
  /** Authoritative: the zones it serves. */
  zones?: ZoneSpec[];
  /** Authoritative: serve this data object instead of building one from `zones`. */
  data?: ZoneData;
  /** Resolver: where "recursion" looks up data, read on every query. */
  sources?: () => ZoneData[];
  /** Delay before every reply, ms. */
  delayMs?: number;
}

/** One running server. Mutate `data`, rules, `delayMs` and the negative cache while it runs. */
export class DnsTestServer {
  readonly host: string;
  port = 0;
  readonly role: "authoritative" | "resolver";
  readonly data: ZoneData;
  delayMs: number;
  readonly queries: QueryLogEntry[] = [];
  private readonly sources: () => ZoneData[];
  private rules: Array<Rule & { used: number }> = [];
  private readonly negative = new Map<string, NegativeCacheEntry>();
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly connections = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(options: DnsServerOptions) {
    this.host = options.host ?? "127.0.0.1";
    assertLoopback(this.host);
    this.role = options.role;
    this.data = options.data ?? new ZoneData(options.zones ?? []);
    this.sources = options.sources ?? (() => [this.data]);
    this.delayMs = options.delayMs ?? 0;
  }

  get address(): ServerAddress {
    return { host: this.host, port: this.port };
  }

  /** Adds a misbehaviour rule; returns a function removing it. First matching rule wins. */
  addRule(rule: Rule): () => void {
    const entry = { ...rule, used: 0 };
    this.rules.push(entry);
    return () => {
      this.rules = this.rules.filter((r) => r !== entry);
    };
  }

  clearRules(): void {
    this.rules = [];
  }

  /** Resolver only: answer `name` with a cached negative until cleared. */
  cacheNegative(name: string, entry: NegativeCacheEntry): void {
    this.negative.set(norm(name), entry);
  }

  clearCache(): void {
    this.negative.clear();
  }

  /** Binds UDP and TCP on the same port (retrying random ports when TCP's is taken). */
  async listen(port = 0): Promise<this> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const udp = dgram.createSocket(net.isIPv6(this.host) ? "udp6" : "udp4");
      const tcp = net.createServer((socket) => this.onConnection(socket));
      let bound = port;
      try {
        await started(udp, (done) => udp.bind(port, this.host, done));
        bound = udp.address().port;
        await started(tcp, (done) => tcp.listen(bound, this.host, done));
      } catch (error) {
        try {
          udp.close();
        } catch {
          // never bound: nothing to release
        }
        if (port !== 0) throw error;
        continue;
      }
      udp.on("message", (msg, rinfo) => this.onDatagram(msg, rinfo));
      udp.on("error", () => undefined);
      this.udp = udp;
      this.tcp = tcp;
      this.port = bound;
      return this;
    }
    throw new Error(`dns-server fixture: could not bind UDP and TCP on one port at ${this.host}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.connections) socket.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : Promise.resolve(),
      tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : Promise.resolve(),
    ]);
  }

  private later(ms: number, fn: () => void): void {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.handle(msg, "udp", { address: rinfo.address, port: rinfo.port }, (replies) => {
      for (const reply of replies) if (!this.closed) this.udp?.send(reply, rinfo.port, rinfo.address);
    });
  }

  private onConnection(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on("close", () => this.connections.delete(socket));
    socket.on("error", () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        this.handle(message, "tcp", { address: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 }, (replies) => {
          for (const reply of replies) {
            if (socket.destroyed) return;
            const framed = Buffer.alloc(2 + reply.length);
            framed.writeUInt16BE(reply.length, 0);
            reply.copy(framed, 2);
            socket.write(framed);
          }
        });
      }
    });
  }

  private matchRule(name: string, type: string, transport: "udp" | "tcp"): (Rule & { used: number }) | null {
    for (const rule of this.rules) {
      if (rule.name !== undefined && norm(rule.name) !== name) continue;
      if (rule.type !== undefined && rule.type !== type) continue;
      if (rule.transport !== undefined && rule.transport !== transport) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      rule.used += 1;
      return rule;
    }
    return null;
  }

  private handle(msg: Buffer, transport: "udp" | "tcp", source: { address: string; port: number }, send: (replies: Buffer[]) => void): void {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question || query.type !== "query") return;
    const opt = (query.additionals ?? []).find((a) => a.type === "OPT");
    const ednsUdpSize = opt && "udpPayloadSize" in opt ? opt.udpPayloadSize : null;
    const name = norm(question.name);
    this.queries.push({
      name,
      type: question.type,
      transport,
      recursionDesired: query.flag_rd,
      ednsUdpSize,
      id: query.id ?? 0,
      source,
    });
    const rule = this.matchRule(name, question.type, transport);
    const delay = this.delayMs + (rule?.delayMs ?? 0);
    this.later(delay, () => {
      const replies = this.respond(query, question, msg, transport, rule?.action, ednsUdpSize);
      if (replies && replies.length > 0) send(replies);
    });
  }

  private respond(
    query: dnsPacket.DecodedPacket,
    question: dnsPacket.Question,
    raw: Buffer,
    transport: "udp" | "tcp",
    action: Misbehavior | undefined,
    ednsUdpSize: number | null,
  ): Buffer[] | null {
    const id = query.id ?? 0;
    switch (action?.kind) {
      case "drop":
        return null;
      case "raw": {
        const out = action.reply(raw, transport);
        return out === null ? null : Array.isArray(out) ? out : [out];
      }
      case "rcode":
        return [this.encode(id, query, question, RCODES[action.rcode], [], [], [], ednsUdpSize)];
      case "malformed": {
        // Right id and question, then an answer whose owner name is a forward pointer.
        const head = this.encode(id, query, question, 0, [], [], [], null);
        const broken = Buffer.concat([head, Buffer.from([0xff, 0xff, 0x00, 0x10, 0x00, 0x01])]);
        broken.writeUInt16BE(1, 6);
        return [broken];
      }
      case "referral": {
        const zone = norm(action.zone);
        const ns = (action.nameservers ?? [`ns1.${zone}`]).map((target): FixtureRecord => ({ name: zone, type: "NS", ttl: 3600, data: target }));
        return [this.encode(id, query, question, 0, [], ns, [], ednsUdpSize, false, { authoritative: false, recursionAvailable: false })];
      }
      default:
        break;
    }
    const result = this.lookup(question.name, question.type);
    const rcode = RCODES[result.rcode];
    const flags =
      action?.kind === "not_authoritative"
        ? { authoritative: false, recursionAvailable: true }
        : { authoritative: result.authoritative ?? true, recursionAvailable: this.role === "resolver" };
    const real = this.encode(id, query, question, rcode, result.answers, result.authorities, result.additionals, ednsUdpSize, false, flags);
    const limit = ednsUdpSize ?? 512;
    const mustTruncate = transport === "udp" && (action?.kind === "truncate" || real.length > limit);
    const reply = mustTruncate ? this.encode(id, query, question, rcode, [], [], [], ednsUdpSize, true, flags) : real;
    switch (action?.kind) {
      case "wrong_id": {
        const decoy = this.encode((id + 1) & 0xffff, query, question, 0, decoyAnswers(question), [], [], ednsUdpSize);
        return action.thenAnswer ? [decoy, reply] : [decoy];
      }
      case "wrong_question": {
        const other: dnsPacket.Question = { ...question, name: `decoy.${norm(question.name)}` };
        const decoy = this.encode(id, query, other, 0, decoyAnswers(other), [], [], ednsUdpSize);
        return action.thenAnswer ? [decoy, reply] : [decoy];
      }
      default:
        return [reply];
    }
  }

  private lookup(qname: string, qtype: string): ResolveResult {
    if (this.role === "authoritative") return this.data.resolve(qname, qtype);
    return this.recurse(qname, qtype);
  }

  private recurse(qname: string, qtype: string): ResolveResult {
    const answers: FixtureRecord[] = [];
    let name = norm(qname);
    const seen = new Set<string>();
    for (let hop = 0; hop < 16; hop += 1) {
      if (seen.has(name)) return { rcode: "SERVFAIL", answers: [], authorities: [], additionals: [] };
      seen.add(name);
      const sources = this.sources();
      const cached = this.negative.get(name);
      if (cached && (cached.type === undefined || cached.type === qtype)) {
        const apex = sources.map((s) => s.zoneFor(name)?.origin).find((o) => o !== undefined) ?? name;
        const soa: FixtureRecord = {
          name: apex,
          type: "SOA",
          ttl: cached.ttl,
          data: { mname: `ns1.${apex}`, rname: `hostmaster.${apex}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: cached.ttl },
        };
        return { rcode: cached.kind === "nxdomain" ? "NXDOMAIN" : "NOERROR", answers, authorities: [soa], additionals: [] };
      }
      let source: ZoneData | null = null;
      let depth = -1;
      for (const s of sources) {
        const zone = s.zoneFor(name);
        if (zone && zone.origin.length > depth) {
          source = s;
          depth = zone.origin.length;
        }
      }
      if (!source) return { rcode: "NXDOMAIN", answers, authorities: [], additionals: [] };
      const result = source.resolve(name, qtype);
      answers.push(...result.answers);
      if (!result.pendingTarget) {
        const additionals =
          qtype === "NS"
            ? sources.flatMap((s) => s.glue(result.answers.flatMap((r) => (r.type === "NS" ? [norm(r.data)] : []))))
            : result.additionals;
        return { ...result, answers, additionals: dedupe(additionals) };
      }
      name = result.pendingTarget;
    }
    return { rcode: "SERVFAIL", answers: [], authorities: [], additionals: [] };
  }

  private encode(
    id: number,
    query: dnsPacket.DecodedPacket,
    question: dnsPacket.Question,
    rcode: number,
    answers: FixtureRecord[],
    authorities: FixtureRecord[],
    additionals: FixtureRecord[],
    ednsUdpSize: number | null,
    truncated = false,
    header: { authoritative: boolean; recursionAvailable: boolean } = {
      authoritative: this.role === "authoritative",
      recursionAvailable: this.role === "resolver",
    },
  ): Buffer {
    let flags = rcode & 0x0f;
    if (query.flag_rd) flags |= dnsPacket.RECURSION_DESIRED;
    if (header.authoritative && this.role === "authoritative") flags |= dnsPacket.AUTHORITATIVE_ANSWER;
    if (header.recursionAvailable) flags |= dnsPacket.RECURSION_AVAILABLE;
    if (truncated) flags |= dnsPacket.TRUNCATED_RESPONSE;
    const opt: dnsPacket.Answer[] =
      ednsUdpSize !== null
        ? [{ type: "OPT", name: ".", udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
        : [];
    return dnsPacket.encode({
      type: "response",
      id,
      flags,
      questions: [{ name: question.name, type: question.type, class: "IN" }],
      answers: answers.map(toWire),
      authorities: authorities.map(toWire),
      additionals: [...additionals.map(toWire), ...opt],
    });
  }
}

const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

function dedupe(records: FixtureRecord[]): FixtureRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.name}|${r.type}|${JSON.stringify(r.data)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function decoyAnswers(question: dnsPacket.Question): FixtureRecord[] {
  const name = norm(question.name);
  switch (question.type) {
    case "TXT":
      return [{ name, type: "TXT", data: "decoy-spoofed-value" }];
    case "MX":
      return [{ name, type: "MX", data: { preference: 1, exchange: "decoy.invalid" } }];
    case "A":
      return [{ name, type: "A", data: "127.66.66.66" }];
    default:
      return [];
  }
}

function chunkTxt(value: string): Buffer[] {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length === 0) return [Buffer.alloc(0)];
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out;
}

function toWire(record: FixtureRecord): dnsPacket.Answer {
  const ttl = record.ttl ?? DEFAULT_TTL;
  switch (record.type) {
    case "TXT": {
      const strings = Array.isArray(record.data) ? record.data : [record.data];
      // Fresh buffers every time: dns-packet's TXT encoder rewrites the array it is given.
      return { name: record.name, type: "TXT", ttl, class: "IN", data: strings.flatMap(chunkTxt) };
    }
    case "MX":
      return { name: record.name, type: "MX", ttl, class: "IN", data: { ...record.data } };
    case "SOA":
      return { name: record.name, type: "SOA", ttl, class: "IN", data: { ...record.data } };
    default:
      return { name: record.name, type: record.type, ttl, class: "IN", data: record.data };
  }
}

/** Starts one server (see the options); resolves once UDP and TCP are bound. */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsTestServer> {
  return new DnsTestServer(options).listen(options.port ?? 0);
}

export interface DnsWorldOptions {
  zones: ZoneSpec[];
  /** How many authoritative servers (default 2): 127.0.0.2, 127.0.0.3, … */
  nameservers?: number;
  /** Zone whose names the nameservers get (`ns1.<zone>`); default the first zone. */
  nameserverZone?: string;
  /** Delay every reply of every server, ms. */
  delayMs?: number;
  /** Last octet of the first authoritative address (default 2). */
  firstHostOctet?: number;
  /**
   * What listens on 127.0.0.1: `recursive` (default) a resolver reading the first authoritative
   * server's data; `referrals` a non-recursive server for the top-level zones that answers every
   * name of the world with a referral to its nameservers (glue only for in-zone nameserver names).
   */
  resolver?: "recursive" | "referrals";
}

export interface DnsWorld {
  resolver: DnsTestServer;
  authoritative: DnsTestServer[];
  /** `[resolver.address]`: pass as `resolvers`. */
  resolvers: ServerAddress[];
  /** Pass as `authoritativePort`. */
  authoritativePort: number;
  nameserverNames: string[];
  /** Adds records on every authoritative server (the resolver sees them at once). */
  publish(...records: FixtureRecord[]): void;
  /** Removes records at `name` (of `type`) on every authoritative server. */
  unpublish(name: string, type?: FixtureRecordType): void;
  /** Sets the reply delay of every server. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** The top-level zones above `zones`, delegating each to `nsNames`, with glue for in-zone names only. */
function delegations(zones: ZoneSpec[], nsNames: string[], hosts: string[]): ZoneData {
  const parent = new ZoneData();
  const origins = zones.map((z) => norm(z.origin));
  for (const tld of new Set(origins.map((o) => o.split(".").pop() ?? o))) parent.addZone({ origin: tld });
  for (const origin of origins) {
    nsNames.forEach((ns, i) => {
      parent.add({ name: origin, type: "NS", ttl: 3600, data: ns });
      if (isUnder(ns, origin)) parent.add({ name: ns, type: "A", ttl: 3600, data: hosts[i] ?? "" });
    });
  }
  return parent;
}

/**
 * Starts a resolver on 127.0.0.1 and `nameservers` authoritative servers sharing one
 * random port, with NS and A records consistent across them.
 */
export async function startDnsWorld(options: DnsWorldOptions): Promise<DnsWorld> {
  const count = options.nameservers ?? 2;
  const firstOctet = options.firstHostOctet ?? 2;
  const firstZone = options.zones[0];
  if (!firstZone) throw new Error("startDnsWorld needs at least one zone");
  const nsZone = norm(options.nameserverZone ?? firstZone.origin);
  const hosts = Array.from({ length: count }, (_, i) => `127.0.0.${firstOctet + i}`);
  const nsNames = hosts.map((_, i) => `ns${i + 1}.${nsZone}`);

  const template = new ZoneData();
  for (const spec of options.zones) {
    const origin = norm(spec.origin);
    template.addZone({ ...spec, soa: { mname: nsNames[0], rname: `hostmaster.${origin}`, ...spec.soa } });
    for (const ns of nsNames) template.add({ name: origin, type: "NS", ttl: 3600, data: ns });
  }
  hosts.forEach((host, i) => template.add({ name: nsNames[i] ?? "", type: "A", ttl: 3600, data: host }));

  let authoritative: DnsTestServer[] = [];
  for (let attempt = 0; attempt < 10 && authoritative.length === 0; attempt += 1) {
    const started: DnsTestServer[] = [];
    try {
      let port = 0;
      for (const host of hosts) {
        const server = new DnsTestServer({ role: "authoritative", host, data: template.clone(), delayMs: options.delayMs });
        started.push(server);
        await server.listen(port);
        port = server.port;
      }
      authoritative = started;
    } catch {
      await Promise.all(started.map((s) => s.close()));
    }
  }
  if (authoritative.length === 0) throw new Error("startDnsWorld: could not bind the authoritative servers on one port");
  const primary = authoritative[0];
  const resolver =
    options.resolver === "referrals"
      ? await startDnsServer({ role: "authoritative", host: "127.0.0.1", data: delegations(options.zones, nsNames, hosts), delayMs: options.delayMs })
      : await startDnsServer({
          role: "resolver",
          host: "127.0.0.1",
          sources: () => (primary ? [primary.data] : []),
          delayMs: options.delayMs,
        });
  const all = [resolver, ...authoritative];
  return {
    resolver,
    authoritative,
    resolvers: [resolver.address],
    authoritativePort: primary?.port ?? 0,
    nameserverNames: nsNames,
    publish: (...records) => {
      for (const s of authoritative) s.data.add(...records);
    },
    unpublish: (name, type) => {
      for (const s of authoritative) s.data.remove(name, type);
    },
    setDelay: (ms) => {
      for (const s of all) s.delayMs = ms;
    },
    close: async () => {
      await Promise.all(all.map((s) => s.close()));
    },
  };
}

/**
 * The settings that point the console's DNS engine at a loopback world: its resolvers, the port
 * its authoritative servers share, and permission to query nameservers on loopback.
 */
export function loopbackDnsEnv(world: Pick<DnsWorld, "resolvers" | "authoritativePort">): Record<string, string> {
  return {
    DNS_RESOLVERS: world.resolvers.map(formatServerAddress).join(","),
    DNS_TEST_AUTHORITATIVE_PORT: String(world.authoritativePort),
    DNS_ALLOW_PRIVATE_NAMESERVERS: "true",
  };
}

