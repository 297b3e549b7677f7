import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadLibrary, resolveScenario } from '../../src/faults/loader.js'

const dirWith = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'haltless-scenarios-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}
const rule = '[{ fault: { kind: internal_error } }]'

describe('the scenario library', () => {
  it('loads YAML and JSON files by name and skips the schema file', () => {
    const dir = dirWith({ 'a.yaml': `name: a\nrules: ${rule}\n`, 'b.json': '{"name": "b", "rules": []}', 'scenario.schema.json': '{}' })
    expect([...loadLibrary(dir).keys()]).toEqual(['a', 'b'])
  })

  it('refuses two files with the same scenario name, naming both', () => {
    const dir = dirWith({ 'a.yaml': 'name: same\n', 'b.yaml': 'name: same\n' })
    expect(() => loadLibrary(dir)).toThrow(`Failed to load ${join(dir, 'b.yaml')}: name "same" is already used by built-in: a.yaml`)
  })

  it('--scenario takes a library name, or a file whose scenario then joins the library', () => {
    const library = loadLibrary()
    expect(resolveScenario('rate-limit-burst', library).name).toBe('rate-limit-burst')
    const file = join(dirWith({ 'mine.yaml': `name: mine\nrules: ${rule}\n` }), 'mine.yaml')
    expect(resolveScenario(file, library).source).toBe(file)
    expect(library.get('mine')?.source).toBe(file)
  })
})
