import type { PDFFont, PDFPage } from 'pdf-lib'
import { isoSeconds } from '../../clock.js'
import type { WorkOrder } from '../../store/records.js'
import type { Store } from '../../store/store.js'
import type { Signoff } from './signoffs.js'

/** One line of the certificate: a heading, a label with its value, or a gap. */
type Line = { kind: 'heading'; text: string } | { kind: 'field'; label: string; value: string } | { kind: 'gap' }

const pageSize: [number, number] = [595.28, 841.89] // A4, points
const margin = 56
const labelWidth = 130
const size = 10
const leading = 14

/**
 * The completion certificate of a work order: its details and every sign-off with the state of
 * its signature (`valid`), as a PDF (A4, Helvetica). The lines are read synchronously, the drawing is async.
 */
export function renderCertificate(store: Store, order: WorkOrder, signoffs: (Signoff & { valid: boolean })[], nowMs: number): Promise<Uint8Array> {
  const tenant = store.tenants.get(order.tenant_id)
  const machine = store.machines.get(order.machine_id)
  const assignee = order.assigned_to ? store.users.get(order.assigned_to) : undefined
  const lines: Line[] = [
    { kind: 'heading', text: 'Work order' },
    { kind: 'field', label: 'Organisation', value: tenant?.name ?? order.tenant_id },
    { kind: 'field', label: 'Work order ID', value: order.id },
    { kind: 'field', label: 'Title', value: order.title },
    { kind: 'field', label: 'Machine', value: machine ? `${machine.name} (${machine.machine_identifier})` : order.machine_id },
    { kind: 'field', label: 'Priority', value: order.priority },
    { kind: 'field', label: 'Status', value: order.status },
    { kind: 'field', label: 'Assigned to', value: assignee ? `${assignee.full_name} <${assignee.email}>` : '-' },
    { kind: 'field', label: 'Created', value: isoSeconds(order.created_at) },
    { kind: 'field', label: 'Completed', value: order.completed_at === null ? '-' : isoSeconds(order.completed_at) },
    { kind: 'field', label: 'Description', value: order.description ?? '-' },
    { kind: 'gap' },
    { kind: 'heading', text: `Sign-offs (${signoffs.length})` },
  ]
  if (signoffs.length === 0) lines.push({ kind: 'field', label: '', value: 'No sign-offs recorded.' })
  for (const s of signoffs) {
    lines.push(
      { kind: 'field', label: 'Signed by', value: `${s.signer_name} (${s.signer_role})` },
      { kind: 'field', label: 'Signed at', value: isoSeconds(s.signed_at) },
      { kind: 'field', label: 'Sign-off ID', value: s.id },
      { kind: 'field', label: 'Signature (SHA-256)', value: s.signature_hash },
      { kind: 'field', label: 'Verification', value: s.valid ? 'passed' : 'MISMATCH: record may have been altered' },
      { kind: 'gap' },
    )
  }
  return draw(order, lines, nowMs)
}

async function draw(order: WorkOrder, lines: Line[], nowMs: number): Promise<Uint8Array> {
  // pdf-lib loads on the first certificate, not at start-up (it is most of a cold start's imports).
  const { PDFDocument, StandardFonts, rgb } = await import('pdf-lib')
  // No automatic metadata: the producer and dates below make the same request give the same bytes.
  const doc = await PDFDocument.create({ updateMetadata: false })
  doc.setTitle(`Work order completion certificate ${order.id}`)
  doc.setProducer('haltless-mock')
  doc.setCreationDate(new Date(nowMs))
  doc.setModificationDate(new Date(nowMs))
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  let page = doc.addPage(pageSize)
  let y = pageSize[1] - margin
  const room = (needed: number) => {
    if (y - needed >= margin) return
    page = doc.addPage(pageSize)
    y = pageSize[1] - margin
  }
  page.drawText('Work Order Completion Certificate', { x: margin, y: (y -= 18), size: 18, font: bold })
  page.drawText(`Issued ${isoSeconds(nowMs)}`, { x: margin, y: (y -= 20), size: 9, font, color: rgb(0.4, 0.4, 0.4) })
  y -= 16
  for (const line of lines) {
    if (line.kind === 'gap') {
      y -= leading / 2
      continue
    }
    if (line.kind === 'heading') {
      room(leading * 3)
      page.drawText(printable(line.text), { x: margin, y: (y -= leading + 4), size: 13, font: bold })
      y -= 4
      continue
    }
    const valueX = margin + labelWidth
    const rows = wrap(printable(line.value), font, pageSize[0] - margin - valueX)
    rows.forEach((row, i) => {
      room(leading)
      y -= leading
      if (i === 0 && line.label) drawLabel(page, line.label, bold, y)
      page.drawText(row, { x: valueX, y, size, font })
    })
  }
  return doc.save()
}

const drawLabel = (page: PDFPage, label: string, font: PDFFont, y: number) => page.drawText(label, { x: margin, y, size, font })

/** Text the standard fonts can encode (WinAnsi): anything else becomes `?`, line breaks spaces. */
const printable = (text: string): string => text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e\xa0-\xff]/g, '?')

/** Splits `text` into rows no wider than `width` points (long words are cut). */
function wrap(text: string, font: PDFFont, width: number): string[] {
  const rows: string[] = []
  let row = ''
  for (const word of text.split(' ')) {
    const candidate = row ? `${row} ${word}` : word
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      row = candidate
      continue
    }
    if (row) rows.push(row)
    row = word
    while (font.widthOfTextAtSize(row, size) > width) {
      // the longest prefix that fits, found by bisection (a long unbroken word costs log n measures)
      let lo = 1
      let hi = row.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (font.widthOfTextAtSize(row.slice(0, mid), size) <= width) lo = mid
        else hi = mid - 1
      }
      rows.push(row.slice(0, lo))
      row = row.slice(lo)
    }
  }
  rows.push(row)
  return rows
}
