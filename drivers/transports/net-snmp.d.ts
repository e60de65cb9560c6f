// The part of net-snmp (3.x, no bundled types, no @types package) that drivers/transports/snmp.ts uses.
declare module 'net-snmp' {
  export interface Varbind {
    oid: string;
    type: number;
    value: unknown;
  }
  export type ResponseCallback = (error: Error | null, varbinds: Varbind[]) => void;
  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    transport?: 'udp4' | 'udp6';
    version?: number;
    idBitsSize?: 16 | 32;
    backoff?: number;
  }
  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }
  export interface Session {
    get(oids: string[], cb: ResponseCallback): void;
    getNext(oids: string[], cb: ResponseCallback): void;
    getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, cb: ResponseCallback): void;
    set(varbinds: Varbind[], cb: ResponseCallback): void;
    subtree(oid: string, maxRepetitions: number, feedCb: (varbinds: Varbind[]) => boolean | void, doneCb: (error: Error | null) => void): void;
    close(): void;
    on(event: 'error', cb: (e: Error) => void): void;
  }
  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
  export function isVarbindError(vb: Varbind): boolean;
  export function varbindError(vb: Varbind): string;
  export const Version1: number;
  export const Version2c: number;
  export const Version3: number;
  export const ObjectType: Record<string, number>;
  export const SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
  export const AuthProtocols: { none: number; md5: number; sha: number; sha224: number; sha256: number; sha384: number; sha512: number };
  export const PrivProtocols: { none: number; des: number; aes: number; aes256b: number; aes256r: number };
  export const ErrorStatus: Record<number, string>;
  export const ResponseInvalidCode: Record<string, number>;
  const snmp: {
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    isVarbindError: typeof isVarbindError;
    varbindError: typeof varbindError;
    Version1: number;
    Version2c: number;
    Version3: number;
    ObjectType: Record<string, number>;
    SecurityLevel: typeof SecurityLevel;
    AuthProtocols: typeof AuthProtocols;
    PrivProtocols: typeof PrivProtocols;
    ErrorStatus: Record<number, string>;
    ResponseInvalidCode: Record<string, number>;
  };
  export default snmp;
}
