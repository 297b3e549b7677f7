/** Dates (`YYYY-MM-DD`) and times of day (`HH:MM`) of the OEE and shift resources, in UTC. */
import { dayMs } from '../../clock.js'
import { z } from 'zod'


/** speedate's reason for a string that is not a `YYYY-MM-DD` date (pydantic's date errors). */
function dateReason(s: string): string | null {
  if (s.length < 10) return 'input is too short'
  if (!/^\d{4}/.test(s)) return 'invalid character in year'
  if (s[4] !== '-' || s[7] !== '-') return 'invalid date separator, expected `-`'
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s.slice(0, 10))) return 'invalid character in month'
  if (s.length > 10) return 'unexpected extra characters at the end of the input'
  const month = Number(s.slice(5, 7))
  if (month < 1 || month > 12) return 'month value is outside expected range of 1-12'
  const day = Number(s.slice(8, 10))
  const last = new Date(Date.UTC(Number(s.slice(0, 4)), month, 0)).getUTCDate()
  if (day < 1 || day > last) return 'day value is outside expected range'
  return null
}

/** A calendar date `YYYY-MM-DD`, kept as that string (sorts chronologically); pydantic's 422 otherwise. */
export const dateOnly = z
  .string()
  .superRefine((s, ctx) => {
    const reason = dateReason(s)
    if (reason) ctx.addIssue({ code: 'custom', params: { type: 'date_from_datetime_parsing', msg: `Input should be a valid date or datetime, ${reason}` } })
  })
  .meta({ format: 'date' })

/** A time of day `HH:MM` (00:00-23:59). */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/)

/** The UTC date of an instant. */
export const dayOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10)

/** Midnight UTC starting a date, epoch ms. */
export const dayStart = (date: string): number => Date.parse(`${date}T00:00:00Z`)

/** The date `n` days after `date` (negative: before). */
export const addDays = (date: string, n: number): string => dayOf(dayStart(date) + n * dayMs)

/** Minutes since midnight of `HH:MM`. */
export const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))
