/**
 * Keeps the last lines each stack process printed (the supervisor prefixes every line with
 * `name |`) and appends everything to one log file, so a failure report can show what the
 * dying process said last without holding a whole run's output in memory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';

const ANSI = /\x1b\[[0-9;]*m/g;

export class OutputTail {
  /** Give this to startStack as `out`. */
  readonly stream = new PassThrough();
  private readonly tails = new Map<string, string[]>();
  private readonly file: WriteStream;

  constructor(
    logPath: string,
    private readonly keep = 50,
  ) {
    this.file = createWriteStream(logPath, { flags: 'a' });
    createInterface({ input: this.stream }).on('line', (raw) => this.add(raw));
  }

  /** A line from the harness itself (fault applied, round boundaries), interleaved in the log. */
  note(line: string): void {
    this.file.write(`[chaos] ${new Date().toISOString()} ${line}\n`);
  }

  last(name: string, n = this.keep): string[] {
    return (this.tails.get(name) ?? []).slice(-n);
  }

  close(): Promise<void> {
    this.stream.end();
    return new Promise((resolve) => this.file.end(resolve));
  }

  private add(raw: string): void {
    const line = raw.replace(ANSI, '');
    this.file.write(line + '\n');
    const m = /^(\S+)\s*\| ?(.*)$/.exec(line);
    if (!m) return;
    const [, name, text] = m;
    let tail = this.tails.get(name!);
    if (!tail) this.tails.set(name!, (tail = []));
    tail.push(text!);
    if (tail.length > this.keep * 2) tail.splice(0, tail.length - this.keep);
  }
}
