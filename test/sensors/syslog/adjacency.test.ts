import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isisNeighbor, ospfNeighbor } from '../../../src/sensors/syslog/platforms/adjacency.js';

// One rule for every vendor's OSPF/IS-IS wording: which trigger type a step is.
test('OSPF: reaching Full is up, leaving Full or going Down/Deleted is down, any other step is state_changed', () => {
  const type = (from: string | null, to: string) => ospfNeighbor(from, to, { neighbor: '10.0.0.2' }).type;
  assert.equal(type('LOADING', 'FULL'), 'network.ospf_neighbor_up');
  assert.equal(type(null, 'full'), 'network.ospf_neighbor_up');
  assert.equal(type('Full', 'Deleted'), 'network.ospf_neighbor_down');
  assert.equal(type('Full', 'ExStart'), 'network.ospf_neighbor_down');
  assert.equal(type('INIT', 'DOWN'), 'network.ospf_neighbor_down');
  for (const [from, to] of [
    ['Init', '2Way'],
    ['Init', 'ExStart'],
    ['ExStart', 'Exchange'],
    ['Exchange', 'Loading'],
    ['Down', 'Init'],
    [null, 'EXSTART'],
  ] as const) {
    assert.equal(type(from, to), 'network.ospf_neighbor_state_changed', `${from} -> ${to}`);
  }
});

test('OSPF states read the same whatever the spelling: 2WAY, 2Way, 2-Way', () => {
  for (const s of ['2WAY', '2Way', '2-Way']) assert.equal(ospfNeighbor('INIT', s, {}).fields.state, '2way');
  assert.deepEqual(ospfNeighbor('EXCHANGE', 'FULL', { neighbor: 'n' }).fields, { neighbor: 'n', previous_state: 'exchange', state: 'full' });
});

test('IS-IS: Up is up, Down (or leaving Up) is down, Init/Initializing is state_changed', () => {
  const type = (from: string | null, to: string) => isisNeighbor(from, to, { neighbor: 'r2' }).type;
  assert.equal(type('Initializing', 'Up'), 'network.isis_neighbor_up');
  assert.equal(type(null, 'DOWN'), 'network.isis_neighbor_down');
  assert.equal(type('Up', 'Initializing'), 'network.isis_neighbor_down');
  assert.equal(type('Down', 'Initializing'), 'network.isis_neighbor_state_changed');
  assert.equal(type(null, 'INIT'), 'network.isis_neighbor_state_changed');
  assert.equal(isisNeighbor('Down', 'Initializing', {}).fields.state, 'init');
});
