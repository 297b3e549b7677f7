/** The file URL of the start-up bundle of `entry` (built when the sources changed), or null when off or failed. */
export function bundled(entry: string): Promise<string | null>
