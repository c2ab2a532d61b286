import assert from 'node:assert/strict';
import { lockoutOf, MAX_FAILURES, WINDOW_SECONDS } from '../../app/lib/login-throttle';

const NOW = new Date('2026-11-29T10:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

describe('test/lib/login-throttle.test.ts', () => {
  it('should lock a username out after five failures within 15 minutes', () => {
    assert.equal(MAX_FAILURES, 5);
    assert.equal(WINDOW_SECONDS, 900);
    assert.deepEqual(lockoutOf([ ago(1), ago(2), ago(3), ago(4) ], NOW), { locked: false });
    assert.deepEqual(lockoutOf([ ago(1), ago(2), ago(3), ago(4), ago(600) ], NOW), { locked: true, retryAfterSeconds: 300 });
  });

  it('should last until the oldest counted failure leaves the window', () => {
    const failures = [ ago(10), ago(20), ago(30), ago(40), ago(899.5) ];
    assert.deepEqual(lockoutOf(failures, NOW), { locked: true, retryAfterSeconds: 1 });
    assert.deepEqual(lockoutOf(failures, new Date(NOW.getTime() + 500)), { locked: false });
  });

  it('should not count failures older than the window', () => {
    assert.deepEqual(lockoutOf([ ago(1), ago(2), ago(3), ago(4), ago(900) ], NOW), { locked: false });
    assert.deepEqual(lockoutOf([ ago(1), ago(2), ago(3), ago(4), ago(901), ago(2000) ], NOW), { locked: false });
  });

  it('should let the fifth newest failure decide when there are more, in any order', () => {
    const failures = [ ago(800), ago(1), ago(700), ago(2), ago(3), ago(4) ];
    assert.deepEqual(lockoutOf(failures, NOW), { locked: true, retryAfterSeconds: 200 });
  });
});
