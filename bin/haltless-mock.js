#!/usr/bin/env node
// Runs the TypeScript sources directly (bin/ts-hooks.mjs), so `npm start` needs no build step.
import { register } from 'node:module'

process.setSourceMapsEnabled(true)
register('./ts-hooks.mjs', import.meta.url)
await import('../src/cli.ts')
