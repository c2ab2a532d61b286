import assert from 'node:assert/strict';
import { isUniqueViolation } from '../../app/lib/unique-violation';

describe('test/lib/unique-violation.test.ts', () => {
  it('should recognise a duplicate key from mysql2, from Sequelize and from SQLite', () => {
    assert.equal(isUniqueViolation(Object.assign(new Error('Duplicate entry'), { errno: 1062, code: 'ER_DUP_ENTRY' })), true);
    assert.equal(isUniqueViolation(Object.assign(new Error('Validation error'), { parent: { errno: 1062 } })), true);
    assert.equal(isUniqueViolation(Object.assign(new Error('Validation error'), { name: 'SequelizeUniqueConstraintError' })), true);
  });

  it('should not take other failures for one', () => {
    assert.equal(isUniqueViolation(Object.assign(new Error('Lock wait timeout exceeded'), { errno: 1205 })), false);
    assert.equal(isUniqueViolation(new Error('connect ECONNREFUSED')), false);
    assert.equal(isUniqueViolation(undefined), false);
    assert.equal(isUniqueViolation('1062'), false);
  });
});
