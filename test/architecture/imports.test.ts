import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from '../../src/core/config.js';

/**
 * The import rules of the README's Architecture section. Every top-level area (a folder of
 * src/, src/appliance.ts, and drivers/) has a layer; a module may import its own area and any
 * area on a lower layer, nothing level or higher. The layers follow the data path of the design:
 * sensors -> events -> rules -> executions -> workflows -> drivers, with the store, datastore,
 * inventory and auth as services beneath the pipeline and the appliance, API and CLI on top.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['core'], // errors, ids, config, logging, templates: imports no other area
  ['drivers', 'criteria'], // device access and rule criteria: on core only
  ['events'], // the envelope, trigger types and the bus
  ['store'], // state (stores event envelopes)
  ['rules', 'datastore', 'inventory', 'auth'], // services on the store, independent of each other
  ['workflows'], // conductors (pure) and the driver
  ['executions'], // the engine and runners: hands workflow runners to workflows/
  ['packs'], // content loading: reads the runner declarations
  ['sensors'], // listeners and pollers: read pack paths, the inventory, drivers
  ['appliance'], // wires one appliance together
  ['api'], // HTTP on an appliance
  ['chat'], // chat adapters (IRC) and the bot: on the API's alias execution
  ['assembly'], // a serving appliance: API, sensors
  ['cli'], // commands
  ['ui'], // the browser front end: reaches the appliance over HTTP only, imports no other area
];

/**
 * Imports that break the layers today, each with why it is tolerated and where it should go.
 * An entry that no longer matches an import fails the test: remove it, the rule tightens.
 */
const KNOWN_VIOLATIONS: Readonly<Record<string, string>> = {};

/**
 * Modules of an area that other areas may import; an area not listed is open. drivers/ keeps
 * its transports and parsers to itself: the rest of the appliance reaches devices through
 * access/ and contract/.
 */
const PUBLIC: Readonly<Record<string, readonly string[]>> = {
  drivers: [
    'drivers/access/',
    'drivers/contract/',
    'drivers/platforms/',
    'drivers/textfsm/',
    'drivers/transports/snmp-names.ts',
    'drivers/transports/ssh-exec.ts',
  ],
};

const rank = new Map(LAYERS.flatMap((areas, i) => areas.map((a) => [a, i] as const)));

function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) out.push(rel);
    }
  };
  walk(folder);
  return out;
}

/** Relative module specifiers of a file (imports, re-exports, type-only too, import()), resolved to repository paths. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(REPO_ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      specs.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0]))
      specs.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs.filter((s) => s.startsWith('.')).map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** The top-level area of a repository path: drivers, or the folder (or file) under src/. */
function areaOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'drivers') return 'drivers';
  if (parts[0] === 'src' && parts.length >= 2) return parts[1]!.replace(/\.ts$/, '');
  return parts[0]!;
}

interface Edge {
  from: string;
  to: string;
  key: string;
}

const edges: Edge[] = [...sources('src'), ...sources('drivers')].flatMap((from) => importsOf(from).map((to) => ({ from, to, key: `${from} -> ${to}` })));
const crossing = edges.filter((e) => areaOf(e.from) !== areaOf(e.to));

test('every area of src/ and drivers/ has a layer', () => {
  const areas = new Set(edges.flatMap((e) => [areaOf(e.from), areaOf(e.to)]));
  assert.deepEqual([...areas].filter((a) => !rank.has(a)).sort(), [], 'add the new area to LAYERS (and to the README Architecture section)');
});

test('imports go down the layers only (known violations aside)', () => {
  const upward = crossing
    .filter((e) => rank.get(areaOf(e.to))! >= rank.get(areaOf(e.from))! && !(e.key in KNOWN_VIOLATIONS))
    .map((e) => `${e.key} (${areaOf(e.from)} may not import ${areaOf(e.to)})`);
  assert.deepEqual(upward, []);
});

test('no import cycle between areas (known violations aside)', () => {
  const graph = new Map<string, Set<string>>();
  for (const e of crossing) if (!(e.key in KNOWN_VIOLATIONS)) graph.set(areaOf(e.from), (graph.get(areaOf(e.from)) ?? new Set()).add(areaOf(e.to)));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (area: string, trail: string[]): void => {
    if (state.get(area) === 'done') return;
    if (state.get(area) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(area)), area].join(' -> '));
      return;
    }
    state.set(area, 'open');
    for (const next of graph.get(area) ?? []) visit(next, [...trail, area]);
    state.set(area, 'done');
  };
  for (const area of [...graph.keys()].sort()) visit(area, []);
  assert.deepEqual(cycles, []);
});

test('each known violation still exists (remove the entry once the import is gone)', () => {
  const present = new Set(edges.map((e) => e.key));
  assert.deepEqual(
    Object.keys(KNOWN_VIOLATIONS).filter((k) => !present.has(k)),
    [],
  );
});

test("other areas import an area's public modules only", () => {
  const inside = crossing.filter((e) => {
    const open = PUBLIC[areaOf(e.to)];
    return open !== undefined && !open.some((p) => (p.endsWith('/') ? e.to.startsWith(p) : e.to === p));
  });
  assert.deepEqual(
    inside.map((e) => e.key),
    [],
  );
});
