import { BerReader, berError, oidText, TAG, unsignedInt } from './ber.js';
import { decryptScopedPdu, localizedKey, macLength, verifyAuth, type UsmUser } from './usm.js';

export type VarbindType =
  | 'Integer'
  | 'OctetString'
  | 'Null'
  | 'OID'
  | 'IpAddress'
  | 'Counter32'
  | 'Gauge32'
  | 'TimeTicks'
  | 'Opaque'
  | 'Counter64'
  | 'NoSuchObject'
  | 'NoSuchInstance'
  | 'EndOfMibView';

export interface Varbind {
  oid: string;
  type: VarbindType;
  /** Numbers as numbers (Counter64 beyond 2^53 as a decimal string); octet strings as text when printable, else hex. */
  value: number | string | null;
  /** Set when an OctetString was not printable and `value` is its hex. */
  hex?: true;
}

/** A received notification, any version, in SNMPv2 terms (v1 traps translated per RFC 3584). */
export interface SnmpTrap {
  version: 'v1' | 'v2c' | 'v3';
  pdu: 'trap' | 'inform';
  community?: string;
  /** v3: USM user, security level and the sender's (authoritative) engine ID in hex. */
  user?: string;
  securityLevel?: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
  engineId?: string;
  contextName?: string;
  requestId?: number;
  /** snmpTrapOID.0 as dotted numbers. */
  trapOid: string;
  /** sysUpTime.0 in hundredths of a second. */
  uptime: number;
  /** v1 only: agent-addr, enterprise, generic and specific trap numbers as sent. */
  agentAddress?: string;
  enterprise?: string;
  genericTrap?: number;
  specificTrap?: number;
  /** The varbinds after sysUpTime.0 and snmpTrapOID.0. */
  varbinds: Varbind[];
}

export interface DecodeTrapOptions {
  /** SNMPv3 users this receiver accepts; v3 traps from anyone else fail with NRX_ERR_SNMP_AUTH. */
  users?: UsmUser[];
}

const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const SNMP_TRAPS = '1.3.6.1.6.3.1.1.5';
/** Bounds so a hostile message cannot make us build huge lists. */
const MAX_VARBINDS = 1000;

/**
 * Decode an SNMP v1/v2c/v3 trap or inform. Pure. Malformed bytes throw NRX_ERR_DECODE with
 * the offset and field; v3 messages from unknown users, with a wrong digest, or that do not
 * decrypt throw NRX_ERR_SNMP_AUTH. Other PDU types (get, response, report) are NRX_ERR_DECODE.
 */
export function decodeTrap(msg: Buffer, opts: DecodeTrapOptions = {}): SnmpTrap {
  const top = new BerReader(msg).enter(TAG.sequence, 'message');
  const version = top.integer('version');
  if (version === 0 || version === 1) {
    const community = top.octets('community').toString('latin1');
    return decodePdu(top, version === 0 ? 'v1' : 'v2c', { community });
  }
  if (version === 3) return decodeV3(msg, top, opts);
  throw berError(2, 'version', `SNMP version ${version} is not supported (0 v1, 1 v2c, 3 v3)`);
}

function decodeV3(msg: Buffer, top: BerReader, opts: DecodeTrapOptions): SnmpTrap {
  const global = top.enter(TAG.sequence, 'msgGlobalData');
  global.integer('msgID');
  global.integer('msgMaxSize');
  const flagsAt = global.pos;
  const flags = global.octets('msgFlags');
  if (flags.length !== 1) throw berError(flagsAt, 'msgFlags', `must be one octet, got ${flags.length}`);
  const model = global.integer('msgSecurityModel');
  if (model !== 3) throw berError(global.pos, 'msgSecurityModel', `security model ${model} is not USM (3)`);
  const auth = (flags[0]! & 1) !== 0;
  const priv = (flags[0]! & 2) !== 0;
  if (priv && !auth) throw berError(flagsAt, 'msgFlags', 'privacy without authentication is not a valid security level');

  const spOctets = top.octets('msgSecurityParameters');
  const spStart = spOctets.byteOffset - msg.byteOffset;
  const sp = new BerReader(msg, spStart, spStart + spOctets.length).enter(TAG.sequence, 'UsmSecurityParameters');
  const engineId = sp.octets('msgAuthoritativeEngineID');
  const boots = sp.integer('msgAuthoritativeEngineBoots');
  const time = sp.integer('msgAuthoritativeEngineTime');
  const userName = sp.octets('msgUserName').toString('utf8');
  const authParams = sp.octets('msgAuthenticationParameters');
  const privParams = sp.octets('msgPrivacyParameters');
  const authValueAt = authParams.byteOffset - msg.byteOffset;

  const engineHex = engineId.toString('hex');
  const base = { user: userName, engineId: engineHex, securityLevel: (priv ? 'authPriv' : auth ? 'authNoPriv' : 'noAuthNoPriv') as SnmpTrap['securityLevel'] };
  const user = opts.users?.find((u) => u.user === userName && (!u.engineIds || u.engineIds.some((e) => e.toLowerCase() === engineHex)));
  if (auth || priv) {
    if (!user) throw berError(0, 'msgUserName', `unknown USM user '${userName}' for engine ${engineHex || '(empty)'}`, 'NRX_ERR_SNMP_AUTH');
    if (!user.authProtocol || !user.authKey)
      throw berError(0, 'msgUserName', `USM user '${userName}' has no authentication key configured`, 'NRX_ERR_SNMP_AUTH');
    if (authParams.length !== macLength(user.authProtocol))
      throw berError(
        authValueAt,
        'msgAuthenticationParameters',
        `digest of ${authParams.length} octets does not match ${user.authProtocol}`,
        'NRX_ERR_SNMP_AUTH',
      );
    const key = localizedKey(user.authProtocol, user.authKey, engineId);
    if (!verifyAuth(msg, authValueAt, authParams, user.authProtocol, key))
      throw berError(authValueAt, 'msgAuthenticationParameters', `wrong digest for USM user '${userName}'`, 'NRX_ERR_SNMP_AUTH');
  } else if (user?.authProtocol) {
    throw berError(0, 'msgFlags', `USM user '${userName}' requires authentication; message was noAuthNoPriv`, 'NRX_ERR_SNMP_AUTH');
  }

  let scoped: BerReader;
  if (priv) {
    if (!user?.privProtocol || !user.privKey) throw berError(0, 'msgUserName', `USM user '${userName}' has no privacy key configured`, 'NRX_ERR_SNMP_AUTH');
    const encrypted = top.octets('encryptedPDU');
    const key = localizedKey(user.authProtocol!, user.privKey, engineId);
    const plain = decryptScopedPdu(user.privProtocol, key, privParams, boots, time, encrypted);
    // DES pads to 8 bytes: the scoped PDU's own length says where it ends
    try {
      scoped = new BerReader(plain).enter(TAG.sequence, 'ScopedPDU');
    } catch (e) {
      throw berError(0, 'encryptedPDU', `does not decrypt to a scoped PDU (wrong privacy key or protocol?): ${(e as Error).message}`, 'NRX_ERR_SNMP_AUTH');
    }
  } else scoped = top.enter(TAG.sequence, 'ScopedPDU');
  scoped.octets('contextEngineID');
  const contextName = scoped.octets('contextName').toString('utf8');
  return decodePdu(scoped, 'v3', { ...base, ...(contextName ? { contextName } : {}) });
}

function decodePdu(r: BerReader, version: SnmpTrap['version'], extra: Partial<SnmpTrap>): SnmpTrap {
  const at = r.pos;
  if (r.done) throw berError(at, 'pdu', 'missing PDU');
  const tag = r.buf[at]!;
  if (tag === TAG.trapV1) {
    if (version !== 'v1') throw berError(at, 'pdu', 'a v1 Trap-PDU in a v2c/v3 message');
    const p = r.enter(TAG.trapV1, 'Trap-PDU');
    const enterprise = p.oid('enterprise');
    const agentAt = p.pos;
    const agent = p.bytes(TAG.ipAddress, 'agent-addr');
    if (agent.length !== 4) throw berError(agentAt, 'agent-addr', `IpAddress of ${agent.length} octets`);
    const genericTrap = p.integer('generic-trap');
    const specificTrap = p.integer('specific-trap');
    const ttAt = p.pos;
    const uptime = Number(unsignedInt(p.bytes(TAG.timeTicks, 'time-stamp'), ttAt, 'time-stamp', 4));
    const varbinds = decodeVarbinds(p.enter(TAG.sequence, 'variable-bindings'));
    // RFC 3584 3.1: generic traps map to snmpTraps.N+1, enterprise-specific to enterprise.0.specific
    const trapOid = genericTrap >= 0 && genericTrap <= 5 ? `${SNMP_TRAPS}.${genericTrap + 1}` : `${enterprise}.0.${specificTrap}`;
    return { version, pdu: 'trap', ...extra, trapOid, uptime, agentAddress: agent.join('.'), enterprise, genericTrap, specificTrap, varbinds };
  }
  if (tag !== TAG.trapV2 && tag !== TAG.inform) throw berError(at, 'pdu', `PDU type 0x${tag.toString(16)} is not a trap or inform`);
  if (version === 'v1') throw berError(at, 'pdu', 'an SNMPv2 notification in a v1 message');
  const p = r.enter(tag, tag === TAG.inform ? 'InformRequest-PDU' : 'SNMPv2-Trap-PDU');
  const requestId = p.integer('request-id');
  p.integer('error-status');
  p.integer('error-index');
  const all = decodeVarbinds(p.enter(TAG.sequence, 'variable-bindings'));
  // RFC 3416 4.2.6: the first two varbinds are sysUpTime.0 and snmpTrapOID.0
  if (all[0]?.oid !== SYS_UPTIME || typeof all[0].value !== 'number')
    throw berError(at, 'variable-bindings[0]', 'the first varbind must be sysUpTime.0 (1.3.6.1.2.1.1.3.0)');
  if (all[1]?.oid !== SNMP_TRAP_OID || all[1].type !== 'OID')
    throw berError(at, 'variable-bindings[1]', 'the second varbind must be snmpTrapOID.0 (1.3.6.1.6.3.1.1.4.1.0)');
  return {
    version,
    pdu: tag === TAG.inform ? 'inform' : 'trap',
    ...extra,
    requestId,
    trapOid: all[1].value as string,
    uptime: all[0].value,
    varbinds: all.slice(2),
  };
}

function decodeVarbinds(list: BerReader): Varbind[] {
  const out: Varbind[] = [];
  for (let i = 0; !list.done; i++) {
    if (i >= MAX_VARBINDS) throw berError(list.pos, 'variable-bindings', `more than ${MAX_VARBINDS} varbinds`);
    const vb = list.enter(TAG.sequence, `variable-bindings[${i}]`);
    const oid = vb.oid(`variable-bindings[${i}].name`);
    const at = vb.pos;
    const h = vb.header(`variable-bindings[${i}].value`);
    vb.pos = h.end;
    out.push(decodeValue(oid, h.tag, vb.buf, h.start, h.end, at, i));
  }
  return out;
}

/** One varbind's value from buf[start, end); read in place, since most values are small numbers and OIDs. */
function decodeValue(oid: string, tag: number, buf: Buffer, start: number, end: number, at: number, index: number): Varbind {
  const len = end - start;
  switch (tag) {
    case TAG.integer: {
      if (len === 0 || len > 5) throw berError(at, valueField(index), `INTEGER of ${len} octets`);
      let n = buf[start]! & 0x80 ? -1 : 0;
      for (let i = start; i < end; i++) n = n * 256 + buf[i]!;
      return { oid, type: 'Integer', value: n };
    }
    case TAG.octetString: {
      const text = printableText(buf, start, end);
      return text !== undefined ? { oid, type: 'OctetString', value: text } : { oid, type: 'OctetString', value: buf.toString('hex', start, end), hex: true };
    }
    case TAG.null:
      return { oid, type: 'Null', value: null };
    case TAG.oid:
      return { oid, type: 'OID', value: oidText(buf, start, end, at, valueField(index)) };
    case TAG.ipAddress:
      if (len !== 4) throw berError(at, valueField(index), `IpAddress of ${len} octets`);
      return { oid, type: 'IpAddress', value: `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}` };
    case TAG.counter32:
      return { oid, type: 'Counter32', value: unsignedInt(buf.subarray(start, end), at, valueField(index), 4) };
    case TAG.gauge32:
      return { oid, type: 'Gauge32', value: unsignedInt(buf.subarray(start, end), at, valueField(index), 4) };
    case TAG.timeTicks:
      return { oid, type: 'TimeTicks', value: unsignedInt(buf.subarray(start, end), at, valueField(index), 4) };
    case TAG.counter64:
      return { oid, type: 'Counter64', value: unsignedInt(buf.subarray(start, end), at, valueField(index), 8) };
    case TAG.opaque:
      return { oid, type: 'Opaque', value: buf.toString('hex', start, end), hex: true };
    case TAG.noSuchObject:
      return { oid, type: 'NoSuchObject', value: null };
    case TAG.noSuchInstance:
      return { oid, type: 'NoSuchInstance', value: null };
    case TAG.endOfMibView:
      return { oid, type: 'EndOfMibView', value: null };
    default:
      throw berError(at, valueField(index), `unknown value type 0x${tag.toString(16)}`);
  }
}

/** Built only when needed: the field name is text, and most varbinds never fail. */
function valueField(index: number): string {
  return `variable-bindings[${index}].value`;
}

/**
 * Text an operator can read: UTF-8 that round-trips, without control characters other than
 * tab/CR/LF; undefined when the octets are not that. Plain ASCII (interface names, most
 * strings agents send) is decoded once, without the round-trip check.
 */
function printableText(buf: Buffer, start: number, end: number): string | undefined {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const x = buf[i]!;
    if ((x < 0x20 && x !== 9 && x !== 10 && x !== 13) || x === 0x7f) return undefined;
    if (x >= 0x80) ascii = false;
  }
  if (ascii) return buf.toString('latin1', start, end);
  const s = buf.toString('utf8', start, end);
  return s.includes('\ufffd') ? undefined : s;
}
