// A job the API runs every so often, one pass at a time (the SLA watch, the run watch): a failed
// pass is logged and tried again at the next interval; `tick()` runs a pass now (tests do).
import type { Logger } from '../telemetry/logger.ts';

export abstract class Watch {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  protected constructor(
    private readonly what: string,
    private readonly everyMs: number,
    protected readonly watchLogger: Pick<Logger, 'warn'>
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.watchLogger.warn({ err: String(err) }, `${this.what} failed; tried again at the next pass`)), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass (or the one already under way); returns what it found new. */
  tick(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  protected abstract pass(): Promise<number>;
}
