import { catalogChoiceFault } from '../fault-kind.js'

/** 404 with a resource's own message (default `Machine not found.`). */
export const notFound = catalogChoiceFault('not_found', 404, 'machine_not_found', "404 with a resource's not-found message")
