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
});
