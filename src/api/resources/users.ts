import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAdmin as admin } from '../access.js'
import { ApiError } from '../errors.js'
import { pageOf, paginate, pagination } from '../validate.js'
import { roles } from '../permissions.js'
import { email, password, presentUser, text255, UserOut } from './users-view.js'
import { hashPassword } from '../../store/passwords.js'

/** User create body (emulator choice beyond the documented `email`); role defaults to viewer. */
const UserCreate = z.object({ email, full_name: text255, role: z.enum(roles).default('viewer'), password })

/** `/users`: list and create (admin) (reference section 16). */
export const usersResource = new Resource('/users', 'Users')
  .get('/', {
    summary: 'List users', access: admin, query: z.object(pagination), status: 200, response: pageOf(UserOut),
    handle(c, { query: { page, page_size } }) {
      const { store } = c.get('deps')
      const list = store.usersOf(c.get('caller').tenant.id).sort((a, b) => a.created_at - b.created_at || (a.email < b.email ? -1 : 1))
      const result = paginate(list, page, page_size)
      return c.json({ ...result, items: result.items.map((u) => presentUser(store, u)) })
    },
  })
  .post('/', {
    summary: 'Create a user', access: admin, body: UserCreate, status: 201, errors: ['email_conflict'], response: UserOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      if (store.userByEmail(body.email)) throw new ApiError('email_conflict')
      const user = store.addUser({
        id: store.id(), tenant_id: c.get('caller').tenant.id, email: body.email, full_name: body.full_name, role: body.role,
        password_hash: hashPassword(body.password), is_active: true, mfa_enabled: false, mfa_secret: null,
        mfa_pending_secret: null, onboarding_completed: false, created_at: clock.now(),
      })
      return c.json(presentUser(store, user), 201)
    },
  })
