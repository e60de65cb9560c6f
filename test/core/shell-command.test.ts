import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { renderValue } from '../../src/core/template.js';
import { shellTemplateProblems } from '../../src/core/shell-command.js';

const render = (cmd: string, ctx: Record<string, unknown>): string => (renderValue({ cmd }, ctx) as { cmd: string }).cmd;
const run = (shell: string, cmd: string): string => execFileSync(shell, ['-c', cmd], { encoding: 'utf8' });

describe('template values in a cmd travel as shell variables', () => {
  // each template with what it must print for a value v (unquoted substitutions are left
  // out: their output is split into words and globbed, which is the shell's, not injection)
  const templates: Array<[string, (v: string) => string]> = [
    ['printf "%s" "{{ v }}"', (v) => v],
    ['printf %s {{ v }}', (v) => v],
    ['printf "%s" "a {{ v }} b"', (v) => `a ${v} b`],
    ['printf %s x{{ v }}y', (v) => `x${v}y`],
    ['printf %s "`printf %s {{ v }}`"', (v) => v.replace(/\n+$/, '')],
    ['printf %s "`printf %s "{{ v }}"`"', (v) => v.replace(/\n+$/, '')],
    ['printf %s "$(printf %s "{{ v }}")"', (v) => v.replace(/\n+$/, '')],
    ['cat <<EOF\n[{{ v }}]\nEOF', (v) => `[${v}]\n`],
    ['cat <<EOF\n`printf %s "{{ v }}"`\nEOF', (v) => `${v.replace(/\n+$/, '')}\n`],
    ['X={{ v }}; printf %s "$X"', (v) => v],
    ['case {{ v }} in *) printf %s "{{ v }}";; esac', (v) => v],
    // inside single quotes, as StackStorm packs write them: the quote is closed around the variable
    ["printf %s '{{ v }}'", (v) => v],
    ["printf %s 'peer {{ v }} down'", (v) => `peer ${v} down`],
    ['printf %s "$(printf %s \'x{{ v }}\')"', (v) => `x${v}`.replace(/\n+$/, '')],
    ['X=\'{{ v }}\'; printf %s "$X"', (v) => v],
  ];
  const value = fc.string({ unit: 'binary', minLength: 1 }).filter((s) => !s.includes('\0'));
  for (const shell of ['/bin/sh', 'bash']) {
    test(`no value ever becomes shell syntax (${shell})`, () => {
      fc.assert(
        fc.property(value, fc.constantFrom(...templates), (v, [t, expect]) => {
          assert.equal(run(shell, render(t, { v })), expect(v));
        }),
        { numRuns: 120 },
      );
    });
  }

  test('a value is written once, single-quoted, at the top; the command refers to it', () => {
    assert.equal(render('show "{{ a }}" {{ b }}', { a: "it's", b: 'x y' }), `NRX_V1='it'\\''s'\nNRX_V2='x y'\nshow "\${NRX_V1}" "\${NRX_V2}"`);
    assert.equal(render('uptime', {}), 'uptime');
  });

  test('a loop gives every pass its own variable; objects are JSON; a redundant shell_quote is dropped', () => {
    const cmd = render('printf "[%s]" {% for i in l %}{{ i }} {% endfor %}{{ o }} {{ q | shell_quote }}', { l: ['a b', '$(id)'], o: { k: 1 }, q: 'z' });
    assert.equal(run('/bin/sh', cmd), '[a b][$(id)][{"k":1}][z]');
  });
});

describe('templates where a variable cannot help are refused, with a hint', () => {
  const refused: Array<[string, RegExp]> = [
    ["echo $'{{ v }}'", /inside \$'\.\.\.' \(ANSI-C quotes\)/],
    ["sh -c 'echo {{ v }}'", /'sh', which runs them as code/],
    ["cat <<'EOF'\n{{ v }}\nEOF", /quoted delimiter.*<<EOF/],
    ['sh -c "echo {{ v }}"', /'sh', which runs them as code/],
    ['2>/dev/null bash -c "{{ v }}"', /'bash'/],
    ['sh <<EOF\necho {{ v }}\nEOF', /input of 'sh'/],
    ['ssh r1 "show {{ v }}"', /'ssh'/],
    ['/usr/bin/env {{ v }}', /'env'/],
    ['awk "/{{ v }}/"', /'awk'/],
    ['eval "$(printf %s {{ v }})"', /'eval'/],
    ['{{ v }} --version', /choose the command/],
    ['$SHELL -c "{{ v }}"', /computed when the command runs/],
    ['echo $(( {{ v }} + 1 ))', /arithmetic in the template/],
    ['echo ${X:-{{ v }}}', /inside \$\{\.\.\.\}/],
    ['echo \\{{ v }}', /backslash/],
  ];
  for (const [t, hint] of refused) {
    test(JSON.stringify(t), () => {
      const problems = shellTemplateProblems(t);
      assert.equal(problems.length, 1, `expected one refusal for ${t}`);
      assert.match(problems[0]!, hint);
      assert.throws(
        () => render(t, { v: 'x' }),
        (e: Error & { code?: string }) => e.code === 'NRX_ERR_TEMPLATE' && hint.test(e.message),
      );
    });
  }

  test('ordinary commands pass', () => {
    for (const t of [
      'ping -c1 {{ host }}',
      'echo "peer {{ p }} down" >> /tmp/log',
      'logger -t nrx -- {{ m }} 2>&1 | tee -a f',
      'for i in {{ l }}; do echo "$i"; done',
      'if [ "{{ a }}" = x ]; then echo y; fi',
    ]) {
      assert.deepEqual(shellTemplateProblems(t), [], t);
    }
  });
});
