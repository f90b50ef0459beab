/**
 * Who is connected: counts per IP (pending upgrades included, so a slowloris on the upgrade is
 * counted too) and open connections per user, for the connection limits (close 4005).
 */
export class CountMap {
  private readonly counts = new Map<string, number>()

  get(key: string): number {
    return this.counts.get(key) ?? 0
  }

  add(key: string): number {
    const n = this.get(key) + 1
    this.counts.set(key, n)
    return n
  }

  remove(key: string): void {
    const n = this.get(key) - 1
    if (n <= 0) this.counts.delete(key)
    else this.counts.set(key, n)
  }
}

export class ConnectionRegistry<C> {
  /** Every accepted connection, in any state: what shutdown drains. */
  readonly all = new Set<C>()
  readonly perIp = new CountMap()
  private readonly users = new Map<string, Set<C>>()

  addUser(user: string, conn: C): void {
    let set = this.users.get(user)
    if (set === undefined) {
      set = new Set()
      this.users.set(user, set)
    }
    set.add(conn)
  }

  removeUser(user: string, conn: C): void {
    const set = this.users.get(user)
    if (set === undefined) return
    set.delete(conn)
    if (set.size === 0) this.users.delete(user)
  }

  ofUser(user: string): C[] {
    return [...(this.users.get(user) ?? [])]
  }

  userCount(user: string): number {
    return this.users.get(user)?.size ?? 0
  }
}
