import { errorFault } from '../fault-kind.js'

/** 402: the subscription is inactive. */
export const paymentRequired = errorFault('payment_required', 'payment_required', '402: the subscription is inactive.')
