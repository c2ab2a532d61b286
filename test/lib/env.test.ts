import assert from 'node:assert/strict';
import { assertEnvPresent, envChoice, envPositiveInt, envString, missingEnv } from '../../app/lib/env';

describe('test/lib/env.test.ts', () => {
  it('should read trimmed strings and fall back on unset or blank ones', () => {
    assert.equal(envString('A', 'x', { A: ' v ' }), 'v');
    assert.equal(envString('A', 'x', { A: '  ' }), 'x');
    assert.equal(envString('A', 'x', {}), 'x');
  });

  it('should read positive integers and refuse anything else', () => {
    assert.equal(envPositiveInt('N', 5, {}), 5);
    assert.equal(envPositiveInt('N', 5, { N: '42' }), 42);
    for (const bad of [ '0', '-1', '1.5', 'ten' ]) {
      assert.throws(() => envPositiveInt('N', 5, { N: bad }), /N must be a positive integer/);
    }
  });

  it('should accept only the listed choices', () => {
    assert.equal(envChoice('V', [ 'v2', 'v3' ], 'v2', { V: 'v3' }), 'v3');
    assert.throws(() => envChoice('V', [ 'v2', 'v3' ], 'v2', { V: 'v4' }), /V must be one of v2, v3/);
  });

  it('should name every missing variable at once', () => {
    assert.deepEqual(missingEnv([ 'A', 'B', 'C' ], { B: 'set', C: ' ' }), [ 'A', 'C' ]);
    assert.throws(() => assertEnvPresent([ 'A', 'B', 'C' ], { B: 'set' }),
      { message: 'Missing required environment variables: A, C' });
    assert.doesNotThrow(() => assertEnvPresent([ 'B' ], { B: 'set' }));
  });
});
