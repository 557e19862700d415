/** Turns one JSON log line into a short, readable one; other lines pass through unchanged. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const level = String(o.level ?? o.severity ?? 'info').toLowerCase();
    const msg = String(o.msg ?? o.message ?? '');
    const skip = new Set([
      'level',
      'severity',
      'msg',
      'message',
      'time',
      'ts',
      'service',
      'pid',
      'hostname',
      'timestamp',
    ]);
    const extras = Object.entries(o)
      .filter(([k]) => !skip.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${level.padEnd(5)} ${msg}${extras ? `  ${extras}` : ''}`;
  } catch {
    return line;
  }
}
