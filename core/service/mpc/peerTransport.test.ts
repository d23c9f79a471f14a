/**
 * The MPC engine's robust open run over real gRPC with mutual TLS and pinned
 * party certificates, four parties on loopback: honest, with a party down,
 * with a lying party, and with an impostor holding a CA-signed but unpinned
 * certificate.
 */
import { credentials, Metadata, status } from '@grpc/grpc-js';
import { freePort } from '../../../localnet/processes.js';
import { createCa, issueCert, type CertificateAuthority, type TlsIdentity } from '../../../common/tls.js';
import { ringForParties, seededRng, shamirShare, robustOpen, type GrVector } from '../../engine/mpc/index.js';
import { RandomValuesParty } from '../../engine/mpc/malicious/robustOpen.js';
import { MpcPeerClient } from '../../../proto/gen/tkms/mpc/v1/mpc.js';
import { PeerTransport, certFingerprint, type PeerInfo } from './peerTransport.js';
import { sessionIdFor } from './session.js';

const N = 4;
const T = 1;
const COUNT = 50;
const R = ringForParties(N);


let ca: CertificateAuthority;
let ids: TlsIdentity[];
let peers: PeerInfo[];

beforeAll(async () => {
  ca = await createCa('mpc-test-ca');
  ids = await Promise.all(Array.from({ length: N }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
  peers = await Promise.all(ids.map(async (id, i) => ({ partyId: i + 1, address: `127.0.0.1:${await freePort()}`, certFingerprint: certFingerprint(id.certPem) })));
});

async function startParties(which: number[]): Promise<Map<number, PeerTransport>> {
  const out = new Map<number, PeerTransport>();
  for (const p of which) {
    const id = ids[p - 1]!;
    const port = Number(peers[p - 1]!.address.split(':')[1]);
    out.set(p, await PeerTransport.start({ partyId: p, peers, tls: { caPem: ca.certPem, certPem: id.certPem, keyPem: id.keyPem }, listen: { host: '127.0.0.1', port }, timeoutMs: 1500 }));
  }
  return out;
}

function sharesOf(seed: number): { secrets: GrVector; shares: GrVector[] } {
  const rng = seededRng(seed);
  const secrets = R.random(rng, COUNT);
  return { secrets, shares: shamirShare(R, secrets, COUNT, N, T, rng) };
}

test('default: robust open over gRPC/mTLS gives every party the secrets', async () => {
  const parties = await startParties([1, 2, 3, 4]);
  try {
    const { secrets, shares } = sharesOf(1);
    const session = sessionIdFor('aa'.repeat(20));
    const results = await Promise.all([...parties].map(([p, t]) => robustOpen(t.endpoint(session), R, T, shares[p - 1]!, COUNT)));
    for (const r of results) {
      expect(Array.from(r.values)).toEqual(Array.from(secrets));
      expect(r.cheaters).toEqual([]);
      expect(r.missing).toEqual([]);
    }
    expect(parties.get(1)!.stats.received).toBeGreaterThanOrEqual(N - 1);
  } finally {
    for (const t of parties.values()) await t.close();
  }
});

test('behavior: with one party down the others still open and report it missing', async () => {
  const parties = await startParties([1, 2, 3]);
  try {
    const { secrets, shares } = sharesOf(2);
    const session = sessionIdFor('bb'.repeat(20));
    const results = await Promise.all([...parties].map(([p, t]) => robustOpen(t.endpoint(session), R, T, shares[p - 1]!, COUNT)));
    for (const r of results) {
      expect(Array.from(r.values)).toEqual(Array.from(secrets));
      expect(r.missing).toEqual([4]);
    }
  } finally {
    for (const t of parties.values()) await t.close();
  }
});

test('malicious: a party sending random shares is named and the result stays right', async () => {
  const parties = await startParties([1, 2, 3, 4]);
  try {
    const { secrets, shares } = sharesOf(3);
    const session = sessionIdFor('cc'.repeat(20));
    const liar = new RandomValuesParty(seededRng(99));
    const results = await Promise.all(
      [...parties].map(([p, t]) => (p === 2 ? liar.open(t.endpoint(session), R, T, shares[p - 1]!, COUNT, {}) : robustOpen(t.endpoint(session), R, T, shares[p - 1]!, COUNT))),
    );
    for (const [i, r] of results.entries()) {
      if (i === 1) continue;
      expect(Array.from(r.values)).toEqual(Array.from(secrets));
      expect(r.cheaters).toEqual([2]);
    }
  } finally {
    for (const t of parties.values()) await t.close();
  }
});

test('malicious: an impostor with a CA-signed but unpinned certificate is refused', async () => {
  const parties = await startParties([1]);
  try {
    const impostor = await issueCert(ca, { commonName: 'party-2' });
    const client = new MpcPeerClient(peers[0]!.address, credentials.createSsl(Buffer.from(ca.certPem), Buffer.from(impostor.keyPem), Buffer.from(impostor.certPem)), {
      'grpc.ssl_target_name_override': 'localhost',
    });
    const err = await new Promise<{ code?: number } | null>((resolve) =>
      client.deliver({ sessionId: 's', round: 0, to: 1, payload: Buffer.from([1]) }, new Metadata(), (e) => resolve(e)),
    );
    client.close();
    expect(err?.code).toBe(status.UNAUTHENTICATED);
    expect(parties.get(1)!.stats.refused).toBe(1);
    expect(parties.get(1)!.stats.received).toBe(0);
  } finally {
    for (const t of parties.values()) await t.close();
  }
});

test('behavior: messages go on one stream per peer; when a peer restarts, what it missed is resent by Deliver and arrives', async () => {
  const parties = await startParties([1, 2]);
  try {
    const a = parties.get(1)!;
    const session = sessionIdFor('cc'.repeat(20));
    const net1 = a.endpoint(session);
    net1.send(2, Uint8Array.of(1));
    expect(await parties.get(2)!.endpoint(session).receive(1, 3000)).toEqual(Uint8Array.of(1));
    // Party 2 goes down; party 1 sends in round 1 while it is down, then it comes back within the timeout.
    await parties.get(2)!.close();
    net1.nextRound();
    net1.send(2, Uint8Array.of(2, 2));
    await new Promise((r) => setTimeout(r, 300));
    const restarted = (await startParties([2])).get(2)!;
    parties.set(2, restarted);
    const net2 = restarted.endpoint(session);
    net2.nextRound();
    expect(await net2.receive(1, 3000)).toEqual(Uint8Array.of(2, 2));
    expect(a.stats.streamBreaks).toBeGreaterThanOrEqual(1);
    // Later messages flow again (a new stream once the retry pause is over, unary until then).
    net1.nextRound();
    net1.send(2, Uint8Array.of(3));
    net2.nextRound();
    expect(await net2.receive(1, 3000)).toEqual(Uint8Array.of(3));
    expect(a.stats.sendFailures).toBe(0);
  } finally {
    for (const t of parties.values()) await t.close();
  }
});

test('behavior: stream acks are cumulative: 40 messages in quick succession cost a few acks, and every message is acknowledged', async () => {
  const parties = await startParties([1, 2]);
  try {
    const session = sessionIdFor('ee'.repeat(20));
    const net1 = parties.get(1)!.endpoint(session);
    const net2 = parties.get(2)!.endpoint(session);
    for (let r = 0; r < 40; r++) {
      net1.send(2, Uint8Array.of(r));
      net1.nextRound();
    }
    for (let r = 0; r < 40; r++) {
      expect(await net2.receive(1, 3000)).toEqual(Uint8Array.of(r));
      net2.nextRound();
    }
    const a = parties.get(1)!;
    for (let i = 0; i < 50 && a.unacknowledged() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(a.unacknowledged()).toBe(0);
    expect(a.stats.acksReceived).toBeGreaterThanOrEqual(1);
    expect(a.stats.acksReceived).toBeLessThan(10);
  } finally {
    for (const t of parties.values()) await t.close();
  }
});

test('behavior: a child session has its own rounds, keeps messages that arrive before it is opened, and outlives the parent’s close', async () => {
  const parties = await startParties([1, 2]);
  try {
    const session = sessionIdFor('dd'.repeat(20));
    const parent1 = parties.get(1)!.endpoint(session);
    const child1 = parent1.child('decide');
    expect(child1.sessionId).toBe(`${session}/decide`);
    // Party 1: parent round 0 and child rounds 0 and 1, interleaved.
    parent1.send(2, Uint8Array.of(10));
    child1.send(2, Uint8Array.of(20));
    child1.nextRound();
    child1.send(2, Uint8Array.of(21));
    // Party 2 reads its parent round first and closes the parent, then opens the child.
    const parent2 = parties.get(2)!.endpoint(session);
    expect(await parent2.receive(1, 3000)).toEqual(Uint8Array.of(10));
    parent2.close();
    const child2 = parent2.child('decide');
    expect(await child2.receive(1, 3000)).toEqual(Uint8Array.of(20));
    child2.nextRound();
    expect(await child2.receive(1, 3000)).toEqual(Uint8Array.of(21));
    // Nothing of the child leaked into the parent's rounds (parent round 1 is empty).
    parent2.nextRound();
    expect(await parent2.receive(1, 50)).toBeUndefined();
    child2.close();
  } finally {
    for (const t of parties.values()) await t.close();
  }
});
