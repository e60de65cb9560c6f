/**
 * The SNMP session contract: what runners and pollers may ask of an agent. Values come back as
 * plain JSON (see transports/snmp-values.ts for the encoding); a missing instance is data (type
 * noSuchInstance, value null); infrastructure failures are NrxErrors (NRX_ERR_SNMP_TIMEOUT,
 * NRX_ERR_SNMP_AUTH, NRX_ERR_SNMP_ERROR).
 */

export type SnmpCredentials =
  | { version: 'v2c' | 'v1'; community: string }
  | {
      version: 'v3';
      user: string;
      level?: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
      authProtocol?: 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
      authKey?: string;
      privProtocol?: 'des' | 'aes' | 'aes256b' | 'aes256r';
      privKey?: string;
    };

export type SnmpType =
  | 'Boolean'
  | 'Integer'
  | 'OctetString'
  | 'Null'
  | 'ObjectIdentifier'
  | 'IpAddress'
  | 'Counter32'
  | 'Gauge32'
  | 'TimeTicks'
  | 'Opaque'
  | 'Counter64'
  | 'noSuchObject'
  | 'noSuchInstance'
  | 'endOfMibView';

export interface SnmpValue {
  oid: string;
  /** `ifOperStatus.3`, or the numeric OID when the name table does not know it. */
  name: string;
  type: SnmpType;
  value: number | string | boolean | null;
  label?: string;
}

export interface SnmpSetValue {
  oid: string;
  type: Extract<SnmpType, 'Integer' | 'OctetString' | 'ObjectIdentifier' | 'IpAddress' | 'Counter32' | 'Gauge32' | 'TimeTicks'>;
  value: number | string;
}

export interface SnmpSession {
  /** Names the device in errors. */
  readonly device: string;
  get(oids: string[]): Promise<SnmpValue[]>;
  getNext(oids: string[]): Promise<SnmpValue[]>;
  /** Every object under `oid`, one GetNext per row (v1 agents). */
  walk(oid: string): Promise<SnmpValue[]>;
  /** Every object under `oid` with GetBulk (v2c/v3). */
  bulkWalk(oid: string, maxRepetitions?: number): Promise<SnmpValue[]>;
  set(values: SnmpSetValue[]): Promise<SnmpValue[]>;
  close(): void;
}
