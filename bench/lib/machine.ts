/** The machine and the versions a result was measured with. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withConnection } from '@meshcart/kit/db';
import { ROOT } from './children';
import { toolVersions } from './load-tools';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  loadAvgAtStart: [number, number, number];
}

export interface Versions {
  node: string;
  go: string;
  temporalCli: string;
  temporalServer: string;
  mariadb: string;
  grpcJs: string;
  temporalSdk: string;
  ghz: string;
  wrk: string;
}

const sh = (cmd: string, args: string[]): string => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    return `unavailable (${(e as Error).message.split('\n')[0]})`;
  }
};

export function machineInfo(): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  return {
    nproc: Number(sh('nproc', [])) || 0,
    cpuModel: model,
    memoryGiB: Number((memKb / 1024 / 1024).toFixed(1)),
    kernel: sh('uname', ['-r']),
    loadAvgAtStart: [load[0] ?? 0, load[1] ?? 0, load[2] ?? 0],
  };
}

const pkgVersion = (name: string): string => {
  try {
    return (
      JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
};

export async function versions(adminUrl: string): Promise<Versions> {
  const temporalBin = path.join(ROOT, '.tools/bin/temporal');
  const stamp = (() => {
    try {
      return readFileSync(path.join(ROOT, '.tools/bin/.temporal.version'), 'utf8').trim();
    } catch {
      return '';
    }
  })();
  const temporalOut = sh(temporalBin, ['--version']);
  const mariadb = await withConnection(adminUrl, async (c) => {
    const rows = (await c.query('SELECT VERSION() AS v')) as { v: string }[];
    return rows[0]?.v ?? 'unknown';
  }).catch((e: Error) => `unavailable (${e.message})`);
  const tools = await toolVersions();
  return {
    node: process.version,
    go: sh('go', ['version']).replace(/^go version /, ''),
    temporalCli: stamp ? stamp.replace(/^.*@/, '') : temporalOut,
    temporalServer: /Server ([\d.]+)/.exec(temporalOut)?.[1] ?? temporalOut,
    mariadb,
    grpcJs: pkgVersion('@grpc/grpc-js'),
    temporalSdk: pkgVersion('@temporalio/worker'),
    ghz: tools.ghz,
    wrk: tools.wrk,
  };
}
