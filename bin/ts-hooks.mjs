// Node module hooks that run this package's TypeScript sources directly, so `npm start` needs no
// build step. esbuild strips the types; unlike tsx it is told not to keep function names, which
// would wrap every closure the server creates per request in a defineProperty call.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'

/**
 * Registered with `data: { scope: <URL> }` (the package entry does this, inside someone else's
 * process), only `.ts` files under that URL are ours to transform; without it, every one is.
 */
let scope = ''
export function initialize(data) {
  scope = data?.scope ?? ''
}
const ours = (url) => url?.startsWith('file:') && url.endsWith('.ts') && url.startsWith(scope)

/** `./x.js` written in a .ts file means `./x.ts` (TypeScript's NodeNext convention). */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context)
  } catch (err) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../')
    if (relative && specifier.endsWith('.js') && ours(context.parentURL)) return nextResolve(`${specifier.slice(0, -3)}.ts`, context)
    throw err
  }
}

/** `.ts` files become ES modules with an inline source map (stack traces name the .ts lines). */
export async function load(url, context, nextLoad) {
  if (!ours(url)) return nextLoad(url, context)
  const file = fileURLToPath(url)
  const { code } = await transform(await readFile(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    sourcemap: 'inline',
    sourcefile: file,
  })
  return { format: 'module', source: code, shortCircuit: true }
}
