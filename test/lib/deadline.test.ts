import assert from 'node:assert/strict';
import { withinDeadline } from '../../app/lib/deadline';

describe('test/lib/deadline.test.ts', () => {
  it('should give the value of work done before the deadline', async () => {
    assert.deepEqual(await withinDeadline(Promise.resolve(7), 1000, () => assert.fail('no late failure')), { done: true, value: 7 });
  });

  it('should throw a failure that came before the deadline', async () => {
    await assert.rejects(withinDeadline(Promise.reject(new Error('refused')), 1000, () => assert.fail('not late')), /refused/);
  });

  it('should answer not done at the deadline, and hand a later failure to onLateFailure instead of leaving it unhandled', async () => {
    let fail!: (err: Error) => void;
    const work = new Promise<number>((_, reject) => { fail = reject; });
    const late: unknown[] = [];
    assert.deepEqual(await withinDeadline(work, 10, err => late.push(err)), { done: false });
    fail(new Error('lock wait timeout'));
    await new Promise(resolve => setImmediate(resolve));
    assert.equal(late.length, 1);
    assert.match((late[0] as Error).message, /lock wait timeout/);
  });

  it('should drop a value that comes after the deadline', async () => {
    let finish!: (value: number) => void;
    const work = new Promise<number>(resolve => { finish = resolve; });
    assert.deepEqual(await withinDeadline(work, 10, () => assert.fail('no failure')), { done: false });
    finish(1);
  });
});
