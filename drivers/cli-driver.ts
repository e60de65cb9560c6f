import { NrxError } from '../src/core/errors.js';
import type { CliSession, CommandResult, ConfigResult, Driver, SendOptions } from './contract/cli.js';
import type { BgpNeighbors, Facts, GetterModels, GetterName, Interfaces, LagMembers, LldpNeighbors } from './contract/getters.js';
import type { CandidateCommands, Platform } from './platforms/platform.js';
import { getterRecipe } from './platforms/registry.js';

/**
 * The driver layer over a CLI session: knows modes (config in and out), recognises rejected
 * commands from the platform's failure strings, runs getters and the candidate lifecycle.
 * The session comes from a factory so that tests can hand in a recorded device.
 */
export class CliDriver implements Driver {
  private session: CliSession | undefined;
  /** A candidate is loaded and not yet committed or discarded (config mode is held open). */
  private candidateOpen = false;

  constructor(
    readonly device: string,
    readonly platformSpec: Platform,
    private readonly openSession: () => Promise<CliSession>,
  ) {}

  get platform(): string {
    return this.platformSpec.name;
  }

  async connect(): Promise<void> {
    if (!this.session) this.session = await this.openSession();
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await s?.close();
  }

  private live(): CliSession {
    if (!this.session) throw new NrxError('NRX_ERR_CONNECTION_LOST', `device ${this.device}: not connected`);
    return this.session;
  }

  /** The device's own words when it rejected a command, else undefined. */
  failureOf(output: string): string | undefined {
    for (const re of this.platformSpec.failurePatterns) {
      const m = re.exec(output);
      if (m) {
        const start = output.lastIndexOf('\n', m.index) + 1;
        const end = output.indexOf('\n', m.index);
        return output.slice(start, end < 0 ? undefined : end).trim();
      }
    }
    return undefined;
  }

  private async runOne(command: string, opts: SendOptions): Promise<CommandResult> {
    const r = await this.live().run(command, {
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.onData ? { onData: opts.onData } : {}),
    });
    const reason = this.failureOf(r.output);
    return {
      command,
      output: r.output,
      failed: reason !== undefined,
      ...(reason !== undefined ? { failureReason: reason } : {}),
      elapsedMs: Math.round(r.elapsedMs * 10) / 10,
    };
  }

  private async runAll(commands: string[], opts: SendOptions): Promise<CommandResult[]> {
    const results: CommandResult[] = [];
    for (const c of commands) {
      const r = await this.runOne(c, opts);
      results.push(r);
      if (r.failed && opts.stopOnFailure) break;
    }
    return results;
  }

  async send(commands: string[], opts: SendOptions = {}): Promise<CommandResult[]> {
    await this.connect();
    if (this.live().mode === 'config' && !this.candidateOpen) await this.leaveConfig();
    return this.runAll(commands, opts);
  }

  /** A Linux switch's shell has no config mode (`configEnter: ''`): configuration lines run at its prompt. */
  private get hasConfigMode(): boolean {
    return this.platformSpec.configEnter !== '';
  }

  private async enterConfig(): Promise<void> {
    if (!this.hasConfigMode || this.live().mode === 'config') return;
    const r = await this.runOne(this.platformSpec.configEnter, {});
    if (r.failed || this.live().mode !== 'config')
      throw new NrxError(
        'NRX_ERR_COMMAND_REJECTED',
        `device ${this.device}: '${this.platformSpec.configEnter}' did not enter config mode: ${r.failureReason ?? r.output.slice(0, 200)}`,
      );
  }

  private async leaveConfig(): Promise<void> {
    if (!this.hasConfigMode || this.live().mode !== 'config') return;
    await this.runOne(this.platformSpec.configExit, {});
  }

  async configure(lines: string[], opts: SendOptions = {}): Promise<ConfigResult> {
    await this.connect();
    if (this.platformSpec.candidate) {
      // A commit platform: configure = merge then commit, in one go.
      const loaded = await this.loadMerge(lines);
      if (loaded.failed) {
        await this.discard();
        return loaded;
      }
      const committed = await this.commit();
      return { results: [...loaded.results, ...committed.results], failed: committed.failed };
    }
    await this.enterConfig();
    const results = await this.runAll(lines, opts);
    await this.leaveConfig();
    return { results, failed: results.some((r) => r.failed) };
  }

  private candidate(operation: string): CandidateCommands {
    const c = this.platformSpec.candidate;
    if (!c)
      throw new NrxError(
        'NRX_ERR_UNSUPPORTED',
        `platform ${this.platform} has no candidate configuration: '${operation}' is not supported on device ${this.device} (use configure())`,
      );
    return c;
  }

  async loadMerge(lines: string[]): Promise<ConfigResult> {
    this.candidate('loadMerge');
    await this.connect();
    await this.enterConfig();
    this.candidateOpen = true;
    const results = await this.runAll(lines, {});
    return { results, failed: results.some((r) => r.failed) };
  }

  async loadReplace(config: string): Promise<ConfigResult> {
    const c = this.candidate('loadReplace');
    if (!c.replace)
      throw new NrxError(
        'NRX_ERR_UNSUPPORTED',
        `platform ${this.platform} cannot replace the whole configuration: 'loadReplace' is not supported on device ${this.device}`,
      );
    await this.connect();
    await this.enterConfig();
    this.candidateOpen = true;
    const session = this.live() as CliSession & { write?(text: string): void };
    if (!session.write) throw new NrxError('NRX_ERR_UNSUPPORTED', `device ${this.device}: this session cannot paste a configuration`);
    const start = await session.run(c.replace.start, { expect: c.replace.ready });
    session.write(config.endsWith('\n') ? config : `${config}\n`);
    const done = await this.runOne(c.replace.end, {});
    const results: CommandResult[] = [{ command: c.replace.start, output: start.output, failed: false, elapsedMs: Math.round(start.elapsedMs) }, done];
    return { results, failed: done.failed };
  }

  async compare(): Promise<string> {
    const c = this.candidate('compare');
    await this.connect();
    await this.enterConfig();
    return (await this.runOne(c.compare, {})).output;
  }

  async commit(comment?: string): Promise<ConfigResult> {
    const c = this.candidate('commit');
    await this.connect();
    await this.enterConfig();
    const r = await this.runOne(c.commit(comment), { timeoutMs: 120_000 });
    if (!r.failed) {
      this.candidateOpen = false;
      await this.leaveConfig();
    }
    return { results: [r], failed: r.failed };
  }

  async discard(): Promise<void> {
    const c = this.candidate('discard');
    await this.connect();
    await this.enterConfig();
    await this.runOne(c.discard, {});
    this.candidateOpen = false;
    await this.leaveConfig();
  }

  async rollback(steps = 1): Promise<ConfigResult> {
    const c = this.candidate('rollback');
    await this.connect();
    await this.enterConfig();
    const results = await this.runAll(c.rollback(steps), { stopOnFailure: true });
    this.candidateOpen = false;
    await this.leaveConfig();
    return { results, failed: results.some((r) => r.failed) };
  }

  async get<G extends GetterName>(getter: G): Promise<GetterModels[G]> {
    const recipe = getterRecipe(this.platformSpec, getter);
    const results = await this.send(recipe.commands);
    const rejected = results.find((r) => r.failed);
    if (rejected)
      throw new NrxError(
        'NRX_ERR_COMMAND_REJECTED',
        `device ${this.device}: getter '${getter}' needs '${rejected.command}', which the device rejected: ${rejected.failureReason}`,
        { details: { device: this.device, command: rejected.command } },
      );
    return recipe.build(results.map((r) => r.output)) as GetterModels[G];
  }

  getFacts(): Promise<Facts> {
    return this.get('facts');
  }
  getInterfaces(): Promise<Interfaces> {
    return this.get('interfaces');
  }
  getBgpNeighbors(): Promise<BgpNeighbors> {
    return this.get('bgp_neighbors');
  }
  getLldpNeighbors(): Promise<LldpNeighbors> {
    return this.get('lldp_neighbors');
  }
  getLagMembers(): Promise<LagMembers> {
    return this.get('lag_members');
  }
}
