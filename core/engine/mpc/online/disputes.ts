/**
 * @module core/engine/mpc/online/disputes
 * Dispute control (Beerliová-Trubíniová–Hirt; threshold-fhe's `DisputeSet`):
 * when a party i accuses a party j and nobody can tell which of the two lies,
 * the pair {i, j} is put "in dispute" at every honest party, from agreed
 * (broadcast) information only, so that every honest party holds the same set.
 *
 * Why it bounds the damage: an honest party accuses only parties that really
 * deviated, so every pair has at least one corrupt member, and an honest
 * party's partners are all corrupt: at most t of them. A party with t+1 or
 * more partners is therefore corrupt and is eliminated. Each pair costs the
 * adversary one of a bounded number of "accusation slots" (t+1 per corrupt
 * party), which turns an endless denial of service into a bounded number of
 * retries (`preprocessing/triples.ts`).
 *
 * The set lives in one `MpcSession`: every honest party starts a session with
 * the same (empty) set and updates it from the same broadcasts, so it stays
 * identical; parties convicted by it move to the session's `proven` set,
 * which is what services carry to later sessions.
 */

/** Why a pair is in dispute: a wrong value or status (`deviation`), or a missing message (`silence`). */
export type DisputeKind = 'deviation' | 'silence';

export class DisputeSet {
  private readonly partners = new Map<number, Map<number, DisputeKind>>();
  private readonly out = new Set<number>();

  /** Marks `p` as eliminated (agreed: every honest party does so at the same step). */
  eliminate(p: number): void {
    this.out.add(p);
  }

  isEliminated(p: number): boolean {
    return this.out.has(p);
  }

  /** Puts {a, b} in dispute; true if the pair is new. A pair once `deviation` stays so. */
  add(a: number, b: number, kind: DisputeKind): boolean {
    if (a === b) return false;
    const known = this.partners.get(a)?.get(b);
    if (known === undefined || (known === 'silence' && kind === 'deviation')) {
      this.link(a, b, kind);
      this.link(b, a, kind);
    }
    return known === undefined;
  }

  has(a: number, b: number): boolean {
    return this.partners.get(a)?.has(b) ?? false;
  }

  /** The parties in dispute with `p`. */
  partnersOf(p: number): number[] {
    return [...(this.partners.get(p)?.keys() ?? [])].sort((x, y) => x - y);
  }

  /** Whether every dispute of `p` comes from silence (a party that was merely absent, not proven to lie). */
  onlySilence(p: number): boolean {
    for (const kind of this.partners.get(p)?.values() ?? []) if (kind === 'deviation') return false;
    return true;
  }

  /** Parties not yet eliminated with at least `t + 1` partners: corrupt, as honest parties dispute only with corrupt ones. */
  overLimit(t: number): number[] {
    return [...this.partners].filter(([p, m]) => m.size >= t + 1 && !this.out.has(p)).map(([p]) => p).sort((x, y) => x - y);
  }

  private link(a: number, b: number, kind: DisputeKind): void {
    if (!this.partners.has(a)) this.partners.set(a, new Map());
    this.partners.get(a)!.set(b, kind);
  }
}
