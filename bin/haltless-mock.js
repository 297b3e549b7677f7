#!/usr/bin/env node
// The CLI, with no build step for the user: the sources bundled once into a cache (bin/bundle.mjs),
// or, when that is off or fails, run directly through esbuild hooks (bin/ts-hooks.mjs).
import { register } from 'node:module'
import { bundled } from './bundle.mjs'

const bundle = await bundled('src/cli.ts')
if (bundle) await import(bundle)
else {
  process.setSourceMapsEnabled(true)
  register('./ts-hooks.mjs', import.meta.url)
  await import('../src/cli.ts')
}
