import { ST2_FILTERS } from '../../../core/st2-filters.js';
import { withRender } from '../../../core/template-budget.js';
import { checkFilterArgs, checkInputs, checkResult } from '../../../core/template-values.js';
import { NrxError } from '../../../core/errors.js';
import type { StdFunction } from './functions.js';

/**
 * StackStorm lends its Jinja filters to YAQL as functions (`<% to_json_string(ctx(x)) %>`,
 * `<% regex_match(ctx(s), 'x') %>`, `<% version_compare('1.0', '1.1') %>`), with the older
 * names json_dump, json_parse, yaml_dump and yaml_parse. Each runs the same code as the filter
 * (src/core/st2-filters.ts), held to the same size rules.
 */
const ALIASES: Readonly<Record<string, string>> = {
  json_dump: 'to_json_string',
  json_parse: 'from_json_string',
  yaml_dump: 'to_yaml_string',
  yaml_parse: 'from_yaml_string',
};

function bridge(filter: string): StdFunction {
  const f = ST2_FILTERS[filter] as (...args: unknown[]) => unknown;
  return {
    // the value first, then the filter's own arguments (none takes more than three)
    arity: [1, 4],
    func: true,
    method: false,
    run: (c) => {
      checkInputs(c.budget, filter, c.args);
      const measured = checkFilterArgs(c.budget, filter, c.args);
      const out = f(...c.args);
      checkResult(c.budget, filter, out, c.args, measured);
      return out;
    },
  };
}

export const ST2_FUNCTIONS: Readonly<Record<string, StdFunction>> = Object.fromEntries([
  ...Object.keys(ST2_FILTERS).map((name) => [name, bridge(name)] as const),
  ...Object.entries(ALIASES).map(([alias, name]) => [alias, bridge(name)] as const),
]);

/**
 * The same functions for Jinja in an Orquesta workflow (`{{ from_json_string(ctx('s')) }}`):
 * StackStorm lends them there as functions too, besides the filters.
 */
export function jinjaSt2Functions(): Record<string, (...args: unknown[]) => unknown> {
  const out: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, fn] of Object.entries(ST2_FUNCTIONS)) {
    out[name] = (...args: unknown[]) =>
      withRender({}, (budget) =>
        fn.run({
          args,
          kwargs: {},
          budget,
          fail: (m) => {
            throw budget.keep(new NrxError('NRX_ERR_TEMPLATE', `${name}(): ${m}`));
          },
        }),
      );
  }
  return out;
}
