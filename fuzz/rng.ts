/**
 * A small, fast, seedable pseudo-random generator for the fuzzer.
 * @remarks sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): four 32-bit words, no
 * allocation per draw, and good enough statistics for choosing mutations. `Math.random` is
 * neither seedable nor reproducible, and fast-check's generators allocate per draw, which costs
 * real time at a million inputs per parser.
 * @packageDocumentation
 */

/** A deterministic stream of pseudo-random numbers. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed - any 32-bit integer; equal seeds give equal streams */
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Warm-up: the first outputs of sfc32 still show the seed's structure.
    for (let i = 0; i < 12; i += 1) {
      this.next();
    }
  }

  /** The next unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in `[0, n)`; 0 when `n <= 0`. */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** An integer in `[lo, hi]`. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new RangeError('pick from an empty list');
    }
    // In range by construction; the cast only drops the `undefined` of noUncheckedIndexedAccess.
    return items[this.int(items.length)] as T;
  }

  /**
   * A size skewed towards small values: most mutations should stay local, a few should be huge
   * (that is where super-linear behaviour shows).
   */
  skewed(max: number): number {
    const bits = this.int(Math.max(1, Math.ceil(Math.log2(max + 1))) + 1);
    return Math.min(max, this.int(2 ** bits) + 1);
  }
}

/**
 * The generator of run `index` under `seed`.
 * @remarks Every run has its own stream, derived by mixing seed and index (the splitmix32
 * finaliser), so any single run can be replayed without replaying the ones before it.
 */
export function rngFor(seed: number, index: number): Rng {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return new Rng((h ^ (h >>> 16)) >>> 0);
}
