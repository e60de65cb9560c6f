import { createRequire } from 'node:module';
import type Nunjucks from 'nunjucks';

/**
 * nunjucks, loaded so that its SafeString does not inherit from String.prototype.
 *
 * nunjucks' runtime sets `SafeString.prototype = Object.create(String.prototype, ...)`. Once any
 * object has String.prototype as its prototype, V8 gives String.prototype a map of its own and
 * every call of a String.prototype method on a plain string (`indexOf`, `slice`, `trim`) loses
 * its fast path for the rest of the process: the syslog decoder ran at ~420 k lines/s instead of
 * ~770 k in a process that had loaded nunjucks. Here SafeString inherits instead from a plain
 * object carrying the same methods, each applied to the text (`String(safe)` is its value), so
 * templates see no difference and String.prototype stays a built-in nobody inherits from.
 * Every module of the appliance takes nunjucks from here, never from 'nunjucks' directly.
 */

function stringLikePrototype(): object {
  const proto: Record<PropertyKey, unknown> = {};
  const methods = String.prototype as unknown as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(String.prototype)) {
    if (key === 'constructor' || key === 'length' || key === 'toString' || key === 'valueOf') continue;
    const method = methods[key];
    if (typeof method !== 'function') continue;
    Object.defineProperty(proto, key, {
      value: function (this: unknown, ...args: unknown[]): unknown {
        return (method as (...a: unknown[]) => unknown).apply(String(this), args);
      },
      writable: true,
      configurable: true,
    });
  }
  return proto;
}

const require = createRequire(import.meta.url);
const realCreate = Object.create;
const substitute = stringLikePrototype();
Object.create = function create(proto: object | null, props?: PropertyDescriptorMap): unknown {
  return props === undefined ? realCreate(proto === String.prototype ? substitute : proto) : realCreate(proto === String.prototype ? substitute : proto, props);
} as typeof Object.create;
let loaded: typeof Nunjucks;
try {
  loaded = require('nunjucks') as typeof Nunjucks;
} finally {
  Object.create = realCreate;
}

export default loaded;
