// Start-up without a build step the user runs: the CLI's TypeScript sources and their libraries,
// bundled by esbuild into one ES module on the first start after any change, and reused from a
// cache afterwards (loading one file is several times faster than transforming ~150 modules).
// The bundle is keyed by the sources' sizes and times, package-lock.json, Node's and esbuild's
// versions; it lives in node_modules/.cache/haltless-mock, or the system's temp directory when
// that is not writable. Any failure here falls back to running the sources through the hooks.
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, accessSync, constants } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))

/**
 * Libraries left out of the bundle: loaded only when used (pdf-lib, http-proxy-middleware,
 * pino-pretty), found by path at run time (swagger-ui-dist), optional native add-ons of ws, and
 * esbuild itself.
 */
const external = ['pdf-lib', 'http-proxy-middleware', 'pino-pretty', 'swagger-ui-dist', 'bufferutil', 'utf-8-validate', 'esbuild']

/** Every .ts file under `dir` as its stamp (the cache key's input). */
function listing(dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...listing(path))
    else if (entry.name.endsWith('.ts')) out.push(stamp(path))
  }
  return out
}

/** `path size mtime`, or `path none` when there is no such file. */
function stamp(path) {
  try {
    const s = statSync(path)
    return `${path} ${s.size} ${s.mtimeMs}`
  } catch {
    return `${path} none`
  }
}

function cacheDir() {
  const own = join(root, 'node_modules', '.cache', 'haltless-mock')
  try {
    mkdirSync(own, { recursive: true })
    accessSync(own, constants.W_OK)
    return own
  } catch {
    const shared = join(tmpdir(), `haltless-mock-${userInfo().uid}`)
    mkdirSync(shared, { recursive: true })
    return shared
  }
}

/**
 * The file URL of the bundle of `entry` (a path under the package root), built first when the
 * sources changed; null when bundling is off (HALTLESS_MOCK_NO_BUNDLE=1) or failed.
 */
export async function bundled(entry) {
  if (process.env.HALTLESS_MOCK_NO_BUNDLE === '1') return null
  try {
    const { version: esbuildVersion } = JSON.parse(readFileSync(join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8'))
    const key = [entry, process.version, esbuildVersion, stamp(fileURLToPath(import.meta.url)), stamp(join(root, 'package-lock.json')), ...listing(join(root, 'src'))].join('\n')
    const prefix = `${entry.replace(/\W+/g, '-')}-`
    const name = `${prefix}${createHash('sha256').update(key).digest('hex').slice(0, 16)}.mjs`
    const dir = cacheDir()
    const file = join(dir, name)
    try {
      statSync(file)
      return pathToFileURL(file).href
    } catch {}
    const code = await build(join(root, entry))
    // written whole under a private name, then renamed: a parallel start never reads half a file
    const partial = `${file}.${process.pid}.tmp`
    writeFileSync(partial, code)
    renameSync(partial, file)
    // older bundles of this entry go; another process's half-written one (.tmp) is left alone
    for (const old of readdirSync(dir)) if (old.startsWith(prefix) && old.endsWith('.mjs') && old !== name) try { unlinkSync(join(dir, old)) } catch {}
    return pathToFileURL(file).href
  } catch (err) {
    if (process.env.HALTLESS_MOCK_DEBUG_BUNDLE === '1') console.error(err)
    return null
  }
}

async function build(entryPath) {
  const { build } = await import('esbuild')
  const { readFile } = await import('node:fs/promises')
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    external,
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    // smaller source compiles faster at start-up; identifiers keep their names for stack traces
    minifyWhitespace: true,
    minifySyntax: true,
    // CommonJS libraries inside an ES module bundle still call require()
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    plugins: [
      {
        // each source keeps its own import.meta.url, so files it reads beside itself are found
        name: 'own-import-meta-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
            loader: 'ts',
            contents: (await readFile(path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href)),
          }))
        },
      },
    ],
  })
  return result.outputFiles[0].contents
}
