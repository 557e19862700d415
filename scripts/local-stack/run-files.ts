import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a running `npm start` leaves in <data>/run/supervisor.json (for `npm run stop`). */
export interface SupervisorRecord {
  pid: number;
  stackId: string;
  root: string;
  startedAt: string;
}

export function supervisorFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'supervisor.json');
}

export function writeSupervisorRecord(dataDir: string, rec: SupervisorRecord): void {
  mkdirSync(path.dirname(supervisorFile(dataDir)), { recursive: true });
  writeFileSync(supervisorFile(dataDir), JSON.stringify(rec) + '\n');
}

export function readSupervisorRecord(dataDir: string): SupervisorRecord | undefined {
  try {
    return JSON.parse(readFileSync(supervisorFile(dataDir), 'utf8')) as SupervisorRecord;
  } catch {
    return undefined;
  }
}

/** Removes the record if it is still ours (a newer run may have replaced it). */
export function removeSupervisorRecord(dataDir: string, pid: number): void {
  if (readSupervisorRecord(dataDir)?.pid === pid) rmSync(supervisorFile(dataDir), { force: true });
}
