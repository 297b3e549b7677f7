import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole, jwtOperate } from '../access.js'
import { found } from '../errors.js'
import { text255 } from './users-view.js'
import { isoSeconds } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import type { Store } from '../../store/store.js'
import { partCategories, spareParts, type PartCategory } from './inventory-stock.js'

const CategoryCreate = z.object({ name: text255, description: z.string().max(1000).nullish() })
const CategoryOut = z.object({ id: z.uuid(), name: z.string(), description: z.string().nullable(), part_count: z.int(), created_at: z.string() })

/** The category object; `part_count` counts the tenant's parts in it (emulator choice). */
const presentCategory = (store: Store, cat: PartCategory) => ({
  id: cat.id,
  name: cat.name,
  description: cat.description,
  part_count: spareParts(store).of(cat.tenant_id, (p) => p.category_id === cat.id).length,
  created_at: isoSeconds(cat.created_at),
})

/** `/inventory/categories`: part categories (reference section 14). */
export const inventoryCategoriesResource = new Resource('/inventory/categories', 'Inventory')
  .get('/', {
    summary: 'List part categories (by name)', access: jwtAnyRole, status: 200, response: z.array(CategoryOut),
    handle(c) {
      const { store } = c.get('deps')
      const list = partCategories(store).of(c.get('caller').tenant.id).sort((a, b) => a.name.localeCompare(b.name))
      return c.json(list.map((cat) => presentCategory(store, cat)))
    },
  })
  .post('/', {
    summary: 'Create a part category', access: jwtOperate, body: CategoryCreate, status: 201, response: CategoryOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const cat = partCategories(store).add({
        id: store.id(), tenant_id: c.get('caller').tenant.id, name: body.name, description: body.description ?? null, created_at: clock.now(),
      })
      return c.json(presentCategory(store, cat), 201)
    },
  })
  .delete('/:category_id', {
    summary: 'Delete a part category (its parts become uncategorized)', access: jwtOperate, status: 204, errors: ['category_not_found'],
    handle(c, { params }) {
      const { store, clock } = c.get('deps')
      const cat = found(partCategories(store).get(c.get('caller').tenant.id, params.category_id), 'category_not_found')
      partCategories(store).delete(cat.id)
      // emulator choice: a category in use is still deleted; its parts keep existing without one
      for (const p of spareParts(store).of(cat.tenant_id, (p) => p.category_id === cat.id)) {
        p.category_id = null
        p.updated_at = clock.now()
      }
      return c.body(null, 204)
    },
  })
  .demo((store) => {
    const created = store.clock.now() - 30 * 86_400_000
    const acme = demoId('tenant:acme')
    const rows: [string, string, string, string][] = [
      ['category:acme:1', acme, 'Bearings', 'Rolling-element and plain bearings'],
      ['category:acme:2', acme, 'Belts', 'V-belts and timing belts'],
      ['category:acme:3', acme, 'Filters', 'Hydraulic, air and coolant filters'],
      ['category:acme:4', acme, 'Electrical', 'Contactors, fuses, relays and sensors'],
      ['category:globex:1', demoId('tenant:globex'), 'Spindles', 'Spindle bearings and cartridges'],
    ]
    for (const [label, tenant, name, description] of rows) partCategories(store).add({ id: demoId(label), tenant_id: tenant, name, description, created_at: created })
  })
