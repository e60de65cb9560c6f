import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bad, Rehearsal, type RunTaskCmd } from './rehearsal.js';

/** A failure path can say why a task failed: task(name).error carries the action's code and message. */
describe('task(name).error', () => {
  const wf = `version: 1.0
tasks:
  upload:
    action: files.collect_logs
    next:
      - when: <% succeeded() %>
        do: tell
      - when: <% failed() %>
        publish:
          - why: "{{ task('upload').error.message }}"
          - code: "{{ task('upload').error.code }}"
        do: tell
  tell:
    action: chatops.post_message
    input:
      message: "{{ 'upload failed: ' ~ ctx().why if task('upload').error else 'uploaded' }}"
output:
  - why: "{{ ctx().why if task('upload').error else none }}"
`;

  test('a failed task: the error its action gave, for publish and input', () => {
    const r = new Rehearsal(wf);
    r.start();
    r.play({ upload: [bad(null, 'sftp server 10.9.0.2 refused the login')] });
    assert.deepEqual(r.path(), [
      ['upload', 'failed'],
      ['tell', 'succeeded'],
    ]);
    assert.equal(r.state.ctx.code, 'NRX_ERR_RUNNER_FAILED');
    assert.deepEqual((r.commands[1] as RunTaskCmd).input, { message: 'upload failed: sftp server 10.9.0.2 refused the login' });
    assert.deepEqual(r.completed?.output, { why: 'sftp server 10.9.0.2 refused the login' });
  });

  test('a task that succeeded has no error', () => {
    const r = new Rehearsal(wf);
    r.start();
    r.play();
    assert.deepEqual((r.commands[1] as RunTaskCmd).input, { message: 'uploaded' });
    assert.deepEqual(r.completed?.output, { why: null });
  });
});
