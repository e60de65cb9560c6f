import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NrxError } from '../../src/core/errors.js';
import { parseYaml } from '../../src/core/yaml.js';
import { isInMaintenance, parseMaintenanceFile } from '../../src/rules/maintenance.js';

const FILE = `windows:
  - name: core-upgrade
    devices: ["core*"]
    start: 2024-05-04T22:00:00Z
    end: "2024-05-05T02:00:00Z"
  - name: weekend-leafs
    groups: [leafs]
    days: [sat, sun]
    from: "22:00"
    to: "02:00"
  - name: everything-sunday-morning
    days: [sun]
    from: "06:00"
    to: "07:00"
`;

const at = (iso: string) => Date.parse(iso);

describe('maintenance windows', () => {
  const windows = parseMaintenanceFile(parseYaml(FILE, 'maintenance.yaml'));

  test('one-off window by device glob', () => {
    assert.equal(isInMaintenance(windows, 'core1', [], at('2024-05-04T23:00:00Z'))?.name, 'core-upgrade');
    assert.equal(isInMaintenance(windows, 'core1', [], at('2024-05-05T02:00:00Z')), null); // end is exclusive
    assert.equal(isInMaintenance(windows, 'edge1', [], at('2024-05-04T23:00:00Z')), null);
  });

  test('weekly window by group, running past midnight', () => {
    // 2024-05-04 is a Saturday.
    assert.equal(isInMaintenance(windows, 'leaf3', ['leafs'], at('2024-05-04T22:30:00Z'))?.name, 'weekend-leafs');
    assert.equal(isInMaintenance(windows, 'leaf3', ['leafs'], at('2024-05-05T01:59:00Z'))?.name, 'weekend-leafs'); // Sunday early
    assert.equal(isInMaintenance(windows, 'leaf3', ['leafs'], at('2024-05-06T01:00:00Z'))?.name, 'weekend-leafs'); // Sunday's window into Monday
    assert.equal(isInMaintenance(windows, 'leaf3', ['leafs'], at('2024-05-07T01:00:00Z')), null); // Tuesday
    assert.equal(isInMaintenance(windows, 'leaf3', ['spines'], at('2024-05-04T22:30:00Z')), null);
    assert.equal(isInMaintenance(windows, 'leaf3', ['leafs'], at('2024-05-04T21:59:00Z')), null);
  });

  test('a window without devices or groups covers every device, and device-less events', () => {
    assert.equal(isInMaintenance(windows, 'anything', [], at('2024-05-05T06:30:00Z'))?.name, 'everything-sunday-morning');
    assert.equal(isInMaintenance(windows, null, [], at('2024-05-05T06:30:00Z'))?.name, 'everything-sunday-morning');
    assert.equal(isInMaintenance(windows, null, [], at('2024-05-04T23:00:00Z')), null);
  });

  test('invalid files name file, line and field', () => {
    const bad = (yaml: string, where: RegExp) =>
      assert.throws(
        () => parseMaintenanceFile(parseYaml(yaml, 'mw.yaml')),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_SPEC_INVALID' && where.test(e.message),
      );
    bad('windows:\n  - name: a\n    days: [funday]\n    from: "01:00"\n', /mw\.yaml, line 3, field 'windows\[0\]\.days\[0\]'/);
    bad('windows:\n  - name: a\n    start: 2024-05-04T22:00:00Z\n', /field 'windows\[0\]\.end'/);
    bad('windows:\n  - name: a\n    start: 2024-05-04T22:00:00Z\n    end: 2024-05-04T21:00:00Z\n', /line 4, field 'windows\[0\]\.end'.*ends before/);
    bad('windows:\n  - name: a\n    days: [mon]\n    from: "25:00"\n', /line 4, field 'windows\[0\]\.from'/);
    bad('windows:\n  - name: a\n    days: [mon]\n    start: 2024-05-04T22:00:00Z\n    end: 2024-05-04T23:00:00Z\n', /not both/);
    bad('windows:\n  - name: a\n    devices: core1\n    days: [mon]\n', /line 3, field 'windows\[0\]\.devices'/);
    bad('windows:\n  - name: a\n    dayz: [mon]\n', /field 'windows\[0\]\.dayz'/);
  });
});
