// Fields both task editors share: the action list the action inputs complete from, and a
// task's input / a chain node's parameters as a form made from the action's parameter schema.
import type { ActionInfo } from '../api';

export function ActionList({ actions }: { actions: ActionInfo[] }) {
  return (
    <datalist id="action-refs">
      {actions.map((a) => (
        <option key={a.ref} value={a.ref}>
          {a.description}
        </option>
      ))}
    </datalist>
  );
}

/** One field per parameter of the action; leaving a field writes its typed value (empty removes it). */
export function ParamFields(p: { info: ActionInfo | undefined; values: Record<string, unknown>; onSet: (key: string, value: unknown) => void }) {
  return (
    <>
      {Object.entries(p.info?.parameters ?? {}).map(([k, spec]) => (
        <label key={k} title={spec.description}>
          {k}
          {spec.required ? ' *' : ''}
          <input
            aria-label={`input ${k}`}
            defaultValue={p.values[k] === undefined ? '' : typeof p.values[k] === 'string' ? String(p.values[k]) : JSON.stringify(p.values[k])}
            placeholder={spec.default === undefined ? String(spec.type ?? '') : JSON.stringify(spec.default)}
            onBlur={(e) => p.onSet(k, typedValue(e.target.value, spec.type))}
          />
        </label>
      ))}
    </>
  );
}

/** A form field's text as the parameter's type: numbers and booleans as such, JSON for lists and maps, templates as text. */
export function typedValue(v: string, type: string | string[] | undefined): unknown {
  const t = Array.isArray(type) ? type[0] : type;
  if (v === '' || v.includes('<%') || v.includes('{{')) return v;
  if ((t === 'integer' || t === 'number') && !Number.isNaN(Number(v))) return Number(v);
  if (t === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  if (t === 'array' || t === 'object') {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}
