import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

// Light scrypt parameters: an emulator needs real hashing, not brute-force resistance.
const params = { N: 1024, r: 8, p: 1 }

/** `scrypt$<salt>$<hash>` for `password`. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16)
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32, params).toString('base64')}`
}

/** Whether `password` matches `stored`, in constant time. */
export function verifyPassword(password: string, stored: string): boolean {
  const [, salt, hash] = stored.split('$')
  if (!salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  return timingSafeEqual(scryptSync(password, Buffer.from(salt, 'base64'), expected.length, params), expected)
}
