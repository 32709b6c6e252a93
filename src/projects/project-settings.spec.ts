import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applySettings, ProjectSettings } from './project-settings.js';

describe('applySettings', () => {
  it('coerces and validates values', () => {
    const { settings, problems } = applySettings(new ProjectSettings(), { otpLength: '8' });
    assert.deepEqual(problems, []);
    assert.equal(settings!.otpLength, 8);
  });

  it('names unknown keys and out-of-range values', () => {
    const { settings, problems } = applySettings(new ProjectSettings(), { otpLength: '11', colour: 'blue' });
    assert.equal(settings, undefined);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /unknown setting "colour"/);
    assert.match(problems[1]!, /^otpLength=11/);
  });

  it('has a 10-second refresh grace window by default, bounded to 0..300, and allows second-long sessions', () => {
    assert.equal(new ProjectSettings().refreshGraceSeconds, 10);
    assert.deepEqual(applySettings(new ProjectSettings(), { refreshGraceSeconds: '0', sessionTtlSeconds: '1' }).problems, []);
    const { problems } = applySettings(new ProjectSettings(), { refreshGraceSeconds: '301', sessionTtlSeconds: '0' });
    assert.equal(problems.length, 2);
  });
});
