import assert from 'node:assert/strict';
import { isDeadlock } from '../../app/lib/sql';

describe('test/lib/sql-deadlock.test.ts', () => {
  it('should rerun a deadlock\'s victim, from mysql2 or wrapped by Sequelize', () => {
    assert.equal(isDeadlock(Object.assign(new Error('Deadlock found'), { errno: 1213 })), true);
    assert.equal(isDeadlock(Object.assign(new Error('Deadlock found'), { parent: { errno: 1213 } })), true);
  });

  it('should not rerun a lock-wait time-out: the lock is still held and the wait is already bounded', () => {
    assert.equal(isDeadlock(Object.assign(new Error('Lock wait timeout exceeded'), { errno: 1205 })), false);
    assert.equal(isDeadlock(new Error('connect ECONNREFUSED')), false);
  });
});
