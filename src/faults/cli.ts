import { Command } from 'commander'
import { InputError, readDataFile } from '../load-file.js'
import { builtInDir, loadLibrary, scenarioProblems } from './loader.js'
import { scenarioJsonSchema } from './schema.js'

/** `haltless-mock scenarios list|validate|schema`. */
export function scenariosCommand(): Command {
  const cmd = new Command('scenarios').description('list, validate or describe scenario files')
  cmd
    .command('list')
    .description('the built-in scenario library, one line each')
    .action(() => {
      const library = loadLibrary()
      const width = Math.max(0, ...[...library.keys()].map((n) => n.length))
      for (const s of library.values()) console.log(`${s.name.padEnd(width)}  ${s.description}`)
    })
  cmd
    .command('validate')
    .argument('<files...>', 'YAML or JSON scenario files')
    .description('check scenario files; every problem names the file, the field, what was expected and the value')
    .action((files: string[]) => {
      const problems: string[] = []
      for (const file of files) {
        try {
          for (const p of scenarioProblems(readDataFile(file))) problems.push(`${file}: ${p}`)
        } catch (err) {
          if (!(err instanceof InputError)) throw err
          problems.push(err.message)
        }
      }
      if (problems.length) throw new InputError(problems.join('\n'))
      console.log(`${files.length} scenario file${files.length === 1 ? '' : 's'} valid`)
    })
  cmd
    .command('schema')
    .description(`print the JSON Schema of scenario files (also at ${builtInDir}scenario.schema.json)`)
    .action(() => console.log(JSON.stringify(scenarioJsonSchema(), null, 2)))
  return cmd
}
