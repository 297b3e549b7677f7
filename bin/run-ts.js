#!/usr/bin/env node
// Runs a TypeScript file of this package (benchmarks, tools) without a build step.
import { register } from 'node:module'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'

process.setSourceMapsEnabled(true)
register('./ts-hooks.mjs', import.meta.url)
const [file, ...rest] = process.argv.slice(2)
process.argv = [process.argv[0], file, ...rest]
await import(pathToFileURL(resolve(file)).href)
