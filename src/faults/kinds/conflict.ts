import { catalogChoiceFault } from '../fault-kind.js'

/** 409 duplicate (default `A machine with this identifier already exists for this tenant.`). */
export const conflict = catalogChoiceFault('conflict', 409, 'machine_conflict', '409 duplicate')
