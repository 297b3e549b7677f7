import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand'

/** A seeded random source: the same seed gives the same sequence, so runs replay. */
export class Rng {
  private gen: RandomGenerator

  constructor(readonly seed: number) {
    this.gen = xoroshiro128plus(seed)
  }

  /** The sequence of `seed` resumed where `state()` left it (a state file's id sequence). */
  static resume(seed: number, state: readonly number[]): Rng {
    const rng = new Rng(seed)
    rng.gen = xoroshiro128plus.fromState(state)
    return rng
  }

  /** The position in the sequence: four 32-bit integers for `Rng.resume`. */
  state(): number[] {
    return [...this.gen.getState()]
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.gen)
  }

  /** Float in [0, 1). */
  float(): number {
    return this.int(0, 0x3fffffff) / 0x40000000
  }

  /** A UUID v4 string drawn from this sequence. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16))
    hex[12] = '4'
    hex[16] = ((this.int(0, 3) & 0x3) | 0x8).toString(16)
    const s = hex.join('')
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
  }

  /** `length` characters from `alphabet`. */
  string(length: number, alphabet: string): string {
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[this.int(0, alphabet.length - 1)]
    return out
  }
}
