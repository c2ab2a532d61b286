import { randomUUID } from 'node:crypto';
import { Service } from 'egg';
import { sql } from '../lib/sql';
import { isDuplicateKey } from './refund_store';

/** A lease held by this process: pass it back to release it. */
export interface Lease {
  name: string;
  holder: string;
  until: Date;
}

/**
 * The owner of `schedule_leases`: a job that several instances run on the
 * same schedule takes its lease first, and only the instance that got it does
 * the work. A compare-and-set on `lease_until` (no advisory lock), so it is
 * the same SQL on MySQL, MariaDB, TiDB and SQLite; a holder that dies frees
 * the lease when it passes.
 */
export default class ScheduleLeaseService extends Service {
  /** Takes the lease `name` until now + `durationMs`, or null while another holder has it. */
  async acquire(name: string, durationMs: number, now = new Date()): Promise<Lease | null> {
    const lease: Lease = { name, holder: randomUUID(), until: new Date(now.getTime() + durationMs) };
    try {
      // The first run anywhere creates the row already held.
      await sql.write(this.app.model, 'INSERT INTO schedule_leases (name, holder, lease_until, updated_at) VALUES (?, ?, ?, ?)',
        [ name, lease.holder, lease.until, now ]);
      return lease;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const taken = await sql.write(this.app.model,
      'UPDATE schedule_leases SET holder = ?, lease_until = ?, updated_at = ? WHERE name = ? AND lease_until < ?',
      [ lease.holder, lease.until, now, name, now ]);
    return taken === 1 ? lease : null;
  }

  /**
   * Frees the lease at once, if this holder still has it: the next run
   * anywhere may take it, whatever its clock says (hence the epoch, not now).
   */
  async release(lease: Lease, now = new Date()): Promise<void> {
    await sql.write(this.app.model, 'UPDATE schedule_leases SET lease_until = ?, updated_at = ? WHERE name = ? AND holder = ?',
      [ new Date(0), now, lease.name, lease.holder ]);
  }
}
