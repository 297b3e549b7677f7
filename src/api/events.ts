import type { MachineStatus, Severity } from '../store/records.js'

/** A real-time event of one tenant, as the dashboard WebSocket sends it (plus the tenant). */
export type LiveEvent =
  | { type: 'sensor_update'; tenant_id: string; machine_id: string; metric_name: string; value: number; unit: string; timestamp: string }
  | {
      type: 'alert'; tenant_id: string; alert_id: string; machine_id: string; severity: Severity; message: string
      metric_value: number; threshold_value: number; created_at: string
    }
  | { type: 'machine_status'; tenant_id: string; machine_id: string; old_status: MachineStatus; new_status: MachineStatus; timestamp: string }

/** Fan-out of live events to WebSocket sessions; emitting with no listener costs one size check. */
export class EventBus {
  private readonly listeners = new Set<(e: LiveEvent) => void>()

  /** Adds a listener; returns its removal. */
  on(listener: (e: LiveEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get active(): boolean {
    return this.listeners.size > 0
  }

  emit(e: LiveEvent): void {
    for (const l of this.listeners) l(e)
  }
}
