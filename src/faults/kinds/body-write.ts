/** Statuses whose responses never carry a body. */
export const nullBodyStatuses = new Set([101, 204, 205, 304])

/**
 * The backend's response as status, headers and body bytes, for kinds that rewrite the body.
 * The headers are a copy (every `Set-Cookie` kept apart) without `Content-Length`, which the
 * rewritten body sets again.
 */
export async function materialize(res: Response): Promise<{ status: number; headers: Headers; body: Buffer<ArrayBuffer> }> {
  const headers = new Headers(res.headers)
  headers.delete('content-length')
  headers.delete('transfer-encoding')
  const body = Buffer.from(await res.arrayBuffer())
  return { status: res.status, headers, body }
}
