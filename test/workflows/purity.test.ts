import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import ts from 'typescript';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent } from '../../src/events/envelope.js';
import type { ExecutionRecord } from '../../src/store/records.js';

/**
 * Conductors are pure: what they know comes in on their state, their events and the names the
 * driver lends them. (a) No conductor module, nor anything it imports, reaches the store, the
 * datastore, the file system or child processes. (b) A workflow's datastore reads are recorded
 * at first read, so after a restart it still sees the values it saw.
 */

const SRC = path.resolve('src');
const FORBIDDEN_DIRS = [path.join(SRC, 'store'), path.join(SRC, 'datastore')];
const FORBIDDEN_PACKAGES = new Set([
  'better-sqlite3',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'dgram',
  'node:dgram',
  'tls',
  'node:tls',
]);

function conductorModules(): string[] {
  const dirs = ['workflows/orquesta', 'workflows/actionchain'].map((d) => path.join(SRC, d));
  const files = dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(d, f)),
  );
  return [...files, path.join(SRC, 'workflows/conductor.ts')];
}

/** Every module specifier a file names: imports and exports (type-only too), import() and require(). */
function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      out.push(node.moduleSpecifier.text);
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression))
      out.push(node.moduleReference.expression.text);
    if (
      ts.isCallExpression(node) &&
      node.arguments.length > 0 &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      const arg = node.arguments[0]!;
      out.push(ts.isStringLiteralLike(arg) ? arg.text : '<computed>');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Forbidden things reached from `roots`, each with the import chain that reaches it. */
function forbiddenReach(roots: string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue: Array<{ file: string; chain: string[] }> = roots.map((f) => ({ file: f, chain: [path.relative(SRC, f)] }));
  while (queue.length) {
    const { file, chain } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(file)) {
      if (!spec.startsWith('.')) {
        if (FORBIDDEN_PACKAGES.has(spec) || spec === '<computed>') problems.push(`${chain.join(' -> ')} -> ${spec}`);
        continue;
      }
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      const rel = path.relative(SRC, target);
      if (FORBIDDEN_DIRS.some((d) => target.startsWith(d + path.sep))) problems.push(`${chain.join(' -> ')} -> ${rel}`);
      else queue.push({ file: target, chain: [...chain, rel] });
    }
  }
  return problems;
}

describe('workflow conductors are pure', () => {
  test('no conductor module reaches the store, the datastore, the file system, the network or child processes', () => {
    const roots = conductorModules();
    assert.ok(roots.length >= 10, `found the conductor modules: ${roots.map((r) => path.relative(SRC, r)).join(', ')}`);
    assert.deepEqual(forbiddenReach(roots), []);
  });

  test('the scan sees such an import where there is one (the driver does I/O)', () => {
    const found = forbiddenReach([path.join(SRC, 'workflows/workflow-runtime.ts')]);
    assert.ok(
      found.some((p) => p.endsWith('-> node:fs')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.includes('store/')),
      found.join('\n'),
    );
  });
});

// ---- datastore reads recorded at first read -----------------------------------------

const dirs: string[] = [];
const open: Appliance[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(async () => {
  for (const a of open.splice(0)) await a.stop();
});

const REMEMBER = `version: 1.0
tasks:
  first:
    action: core.echo
    input:
      message: "first {{ st2kv.system.site }}"
    next:
      - when: "{{ succeeded() }}"
        publish:
          - seen: "{{ st2kv.system.site }}"
          - token_len: "{{ st2kv.system.token | decrypt_kv | length }}"
        do: hold
  hold:
    wait_for:
      trigger: core.event
      criteria:
        trigger.kind: { type: equals, pattern: kv_go }
    next:
      - when: "{{ succeeded() }}"
        do: later
  later:
    action: core.echo
    input:
      message: "later {{ st2kv.system.site }} {{ st2kv.system.added }}"
output:
  - seen: "{{ ctx().seen }}"
  - at_end: "{{ st2kv.system.site }}"
`;

const CHAIN = `chain:
  - name: first
    ref: core.echo
    parameters:
      message: "first {{ st2kv.system.site }}"
    on-success: pause
  - name: pause
    ref: core.local
    parameters:
      cmd: sleep 1
    on-success: later
  - name: later
    ref: core.echo
    parameters:
      message: "later {{ st2kv.system.site }}"
`;

function packs(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-kvwf-packs-'));
  dirs.push(root);
  const pack = path.join(root, 'kvwf');
  mkdirSync(path.join(pack, 'actions', 'workflows'), { recursive: true });
  writeFileSync(path.join(pack, 'pack.yaml'), 'ref: kvwf\nname: kvwf\nversion: 0.1.0\ndescription: datastore reads in workflows\n');
  writeFileSync(path.join(pack, 'actions', 'remember.yaml'), 'name: remember\nrunner_type: orquesta\nentry_point: workflows/remember.yaml\n');
  writeFileSync(path.join(pack, 'actions', 'workflows', 'remember.yaml'), REMEMBER);
  writeFileSync(path.join(pack, 'actions', 'chain.yaml'), 'name: chain\nrunner_type: action-chain\nentry_point: workflows/chain.yaml\n');
  writeFileSync(path.join(pack, 'actions', 'workflows', 'chain.yaml'), CHAIN);
  return root;
}

function appliance(dataDir: string, packsDir: string): Appliance {
  const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [packsDir] }, {}), log: silentLogger, inboxPollMs: 50 });
  open.push(a);
  return a;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function taskStatus(a: Appliance, id: string, name: string): Promise<string | undefined> {
  return (await a.store.listTasks(id)).find((t) => t.taskName === name)?.status;
}

async function messageOf(a: Appliance, parent: ExecutionRecord, task: string): Promise<unknown> {
  const child = (await a.store.listExecutions({ parentId: parent.id })).find((c) => c.taskName === task);
  return child?.parameters.message;
}

describe('a workflow sees the datastore values it first read, across a restart', () => {
  test('orquesta: the key changes while the workflow waits and the appliance restarts; later tasks see the first value', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-kvwf-'));
    dirs.push(dataDir);
    const packsDir = packs();
    const a = appliance(dataDir, packsDir);
    await a.start();
    await a.kv.set('system', 'site', 'dc1');
    await a.kv.set('system', 'token', 'Sekr1t-Token', { encrypt: true });
    const rec = await a.engine.request('kvwf.remember', {});
    await until('the workflow to wait', async () => (await taskStatus(a, rec.id, 'hold')) === 'running');

    // The first read is recorded in the workflow's persisted state, a secret as its ciphertext only.
    const saved = JSON.stringify((await a.store.getWorkflowState(rec.id))?.state);
    assert.match(saved, /"scope":"system","key":"site","value":"dc1"/);
    assert.match(saved, /"key":"token","value":"nrx:v1:/);
    assert.ok(!saved.includes('Sekr1t-Token'), 'no plaintext secret in the workflow state');

    await a.kv.set('system', 'site', 'dc2');
    await a.kv.set('system', 'added', 'new');
    await a.stop();
    open.splice(open.indexOf(a), 1);

    const b = appliance(dataDir, packsDir);
    await b.start();
    assert.equal((await b.kv.get('system', 'site'))?.value, 'dc2', 'the key did change');
    await b.emit(makeEvent('core.event', { kind: 'kv_go' }, { source: 'test' }));
    const done = await b.engine.wait(rec.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual((done.result as { output: unknown }).output, { seen: 'dc1', at_end: 'dc1' });
    assert.equal(await messageOf(b, done, 'first'), 'first dc1');
    // `site` was read before the change; `added` was first read after it.
    assert.equal(await messageOf(b, done, 'later'), 'later dc1 new');

    // Another run of the same workflow reads today's value: the record belongs to one execution.
    const again = await b.engine.request('kvwf.remember', {});
    await until('the second run to wait', async () => (await taskStatus(b, again.id, 'hold')) === 'running');
    await b.emit(makeEvent('core.event', { kind: 'kv_go' }, { source: 'test' }));
    const second = await b.engine.wait(again.id);
    assert.deepEqual((second.result as { output: unknown }).output, { seen: 'dc2', at_end: 'dc2' });
  });

  test('action-chain: a key changed while a node runs is not seen by the later nodes', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-kvwf-'));
    dirs.push(dataDir);
    const a = appliance(dataDir, packs());
    await a.start();
    await a.kv.set('system', 'site', 'dc1');
    const rec = await a.engine.request('kvwf.chain', {});
    await until('the pause node to run', async () => (await taskStatus(a, rec.id, 'pause')) === 'running');
    await a.kv.set('system', 'site', 'dc2');
    const done = await a.engine.wait(rec.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(await messageOf(a, done, 'first'), 'first dc1');
    assert.equal(await messageOf(a, done, 'later'), 'later dc1');
  });

  test('two appliances in one process: each workflow reads its own datastore', async () => {
    const packsDir = packs();
    const [one, two] = ['dc-one', 'dc-two'].map(() => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-kvwf-'));
      dirs.push(dataDir);
      return appliance(dataDir, packsDir);
    }) as [Appliance, Appliance];
    await one.start();
    await two.start();
    await one.kv.set('system', 'site', 'dc-one');
    await two.kv.set('system', 'site', 'dc-two');
    const [r1, r2] = await Promise.all([one.engine.run('kvwf.chain', {}), two.engine.run('kvwf.chain', {})]);
    assert.equal(await messageOf(one, r1, 'later'), 'later dc-one');
    assert.equal(await messageOf(two, r2, 'later'), 'later dc-two');
  });
});
