import { roleAllows, type Principal } from '../auth/roles.js';
import { NrxError } from '../core/errors.js';
import { reportSwallowed } from '../core/swallowed-errors.js';
import { renderString } from '../core/template.js';
import { makeEvent, type EventEnvelope } from '../events/envelope.js';
import type { ExecutionEngine } from '../executions/engine.js';
import { AliasIndex, type AliasMatch } from '../packs/alias-index.js';
import type { ActionAlias } from '../packs/alias-spec.js';
import type { ExecutionRecord } from '../store/records.js';
import { assertDevicesAllowed, assertPackAllowed, type InventoryLookup } from './grants.js';
import { assertCommandAllowed } from './shell-access.js';

/** The announcement route chat adapters listen on (StackStorm's chatops pack posts on `chatops`). */
export const CHATOPS_ROUTE = 'chatops';

/** What running an alias needs of the appliance. */
export interface AliasExecutionDeps {
  aliases(): AliasIndex;
  engine: Pick<ExecutionEngine, 'actions' | 'request' | 'wait'>;
  inventory: InventoryLookup;
  /** Events out (the result goes back to the chat as a `core.announcement` on route `chatops`). */
  emit(event: EventEnvelope): Promise<void>;
  /** The link to an execution shown in chat, when the appliance knows its own address. */
  executionUrl?: (id: string) => string | null;
}

/** A chat command to run, and where its answer goes. */
export interface AliasCommand {
  command: string;
  /** Restrict the match to this alias (`pack.name` or `name`), as StackStorm's `name` field does. */
  name?: string;
  /** Who typed it in the chat (shown and recorded; authority comes from the principal). */
  chatUser?: string;
  /** Where the result is posted back; none: the caller follows the execution itself. */
  sourceChannel?: string;
}

export interface AliasRun {
  execution: ExecutionRecord;
  actionalias: AliasView;
  /** The acknowledgement for the chat (null when the alias turns `ack` off). */
  message: string | null;
}

/** An alias as the API lists it (StackStorm's field names). */
export interface AliasView {
  ref: string;
  name: string;
  pack: string;
  description: string;
  enabled: boolean;
  action_ref: string;
  formats: Array<string | { display: string; representation: string[] }>;
  ack: Record<string, unknown>;
  result: Record<string, unknown>;
  immutable_parameters: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export function aliasView(a: ActionAlias): AliasView {
  const reply = (r: ActionAlias['ack']): Record<string, unknown> => ({
    enabled: r.enabled,
    ...(r.format !== null ? { format: r.format } : {}),
    ...(r.extra ? { extra: r.extra } : {}),
  });
  return {
    ref: a.ref,
    name: a.name,
    pack: a.pack,
    description: a.description,
    enabled: a.enabled,
    action_ref: a.actionRef,
    formats: a.formats.map((f) =>
      f.representation.length === 1 && f.representation[0] === f.display ? f.display : { display: f.display, representation: f.representation },
    ),
    ack: { ...reply(a.ack), append_url: a.ack.appendUrl },
    result: reply(a.result),
    immutable_parameters: a.immutableParameters,
    extra: a.extra,
  };
}

/**
 * StackStorm's alias execution, one path for the API and every chat adapter: match the
 * command, check the caller exactly as `POST /api/v1/executions` does (role, pack grant,
 * command grant, inventory grant), run the action, answer with the alias's `ack`, and post
 * the alias's `result` back to the channel when the execution ends. The ack and result
 * templates come from the alias file; the command's text only ever reaches them as data.
 */
export class AliasExecutor {
  constructor(private readonly deps: AliasExecutionDeps) {}

  listAliases(): readonly ActionAlias[] {
    return this.deps.aliases().aliases;
  }

  match(command: string, name?: string): AliasMatch {
    const index = this.deps.aliases();
    if (name === undefined) return index.match(command);
    const alias = index.get(name) ?? index.aliases.find((a) => a.name === name);
    if (!alias) throw new NrxError('NRX_ERR_NOT_FOUND', `no action alias '${name}' is loaded`);
    return AliasIndex.of([alias]).match(command);
  }

  async execute(principal: Principal, cmd: AliasCommand): Promise<AliasRun> {
    const m = this.match(cmd.command, cmd.name);
    const ref = m.alias.actionRef;
    if (!roleAllows(principal.role, 'execute'))
      throw new NrxError('NRX_ERR_FORBIDDEN', `${principal.user} (${principal.role}) may not run actions: '${cmd.command}' needs the execute permission`);
    const spec = this.deps.engine.actions.get(ref);
    if (!spec) throw new NrxError('NRX_ERR_ACTION_NOT_FOUND', `alias ${m.alias.ref} names action '${ref}', which is not loaded`);
    assertPackAllowed(principal, spec.pack, `action ${ref}`);
    assertCommandAllowed(principal, spec, m.parameters, `running ${ref}`);
    await assertDevicesAllowed(principal, m.parameters, this.deps.inventory);
    const execution = await this.deps.engine.request(ref, m.parameters, { user: principal.user });
    const view = aliasView(m.alias);
    const message = m.alias.ack.enabled ? this.ack(m.alias, execution, view) : null;
    if (cmd.sourceChannel !== undefined && m.alias.result.enabled) void this.postResult(m.alias, execution.id, cmd);
    return { execution, actionalias: view, message };
  }

  /** The chat text for a finished execution: the alias's `result.format`, or status and result. */
  resultText(alias: ActionAlias, execution: ExecutionRecord): string {
    if (alias.result.format !== null) return String(renderString(alias.result.format, { execution }, { file: alias.file, field: 'result.format' }) ?? '');
    const head = `${alias.actionRef} ${execution.status}`;
    if (execution.error) return `${head}: ${execution.error.message}`;
    return `${head}: ${typeof execution.result === 'string' ? execution.result : JSON.stringify(execution.result)}`;
  }

  private ack(alias: ActionAlias, execution: ExecutionRecord, actionalias: AliasView): string {
    const text =
      alias.ack.format !== null
        ? String(renderString(alias.ack.format, { execution, actionalias }, { file: alias.file, field: 'ack.format' }) ?? '')
        : `Running ${alias.actionRef} (execution ${execution.id})`;
    const url = alias.ack.appendUrl ? (this.deps.executionUrl?.(execution.id) ?? null) : null;
    return url ? `${text} ${url}` : text;
  }

  private async postResult(alias: ActionAlias, id: string, cmd: AliasCommand): Promise<void> {
    let message: string;
    try {
      const done = await this.deps.engine.wait(id);
      message = this.resultText(alias, done);
    } catch (e) {
      // a broken result template must still tell the chat something
      message = `${alias.actionRef} (execution ${id}): cannot show the result: ${(e as Error).message}`;
    }
    const payload = { channel: cmd.sourceChannel, message, ...(cmd.chatUser ? { user: cmd.chatUser } : {}), execution: id };
    await this.deps
      .emit(makeEvent('core.announcement', { route: CHATOPS_ROUTE, payload }, { source: `alias:${alias.ref}` }))
      .catch((error) => reportSwallowed({ where: 'chatops_result', error, msg: `the result of ${alias.ref} could not be posted back to the chat` }));
  }
}
