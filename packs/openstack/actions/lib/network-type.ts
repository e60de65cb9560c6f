import { NrxError } from '../../../../src/core/errors.js';

const TYPE = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * The network's type as Neutron's ML2 sees it: provider:network_type when the notification
 * carries one, else the tenant network type (a project's own network, which Neutron does not
 * describe in the notification) from the pack config `tenant_network_type`, vxlan by default.
 * Only a vxlan network gets a VNI.
 */
export function networkTypeOf(given: unknown, config: Record<string, unknown>): string {
  if (given !== undefined && given !== null && given !== '') return checked(given, 'network_type', 'parameter');
  const tenant = config.tenant_network_type;
  return tenant === undefined || tenant === null || tenant === '' ? 'vxlan' : checked(tenant, 'tenant_network_type', 'pack openstack: config value');
}

function checked(v: unknown, field: string, what: string): string {
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  if (!TYPE.test(s))
    throw new NrxError(
      field === 'network_type' ? 'NRX_ERR_PARAM_INVALID' : 'NRX_ERR_CONFIG',
      `${what} '${field}' must be a Neutron network type such as vxlan, vlan or flat (got ${JSON.stringify(v)})`,
      { location: { field } },
    );
  return s;
}
