/**
 * `node --cpu-prof` cannot be passed through NODE_OPTIONS, and the stack's supervisor starts
 * Node with fixed arguments. This preload (NODE_OPTIONS="--require tsx/cjs --require <this>")
 * does the same through the inspector: it starts sampling on SIGUSR2 (the benchmark sends it
 * when the load starts, so the slow boot is not profiled) and writes
 * CPU.<date>.<time>.<pid>.0.001.cpuprofile into BENCH_CPU_PROF_DIR when the process exits
 * (the services exit through process.exit on SIGTERM, which runs 'exit' handlers).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let started = false;
  process.once('SIGUSR2', () => {
    started = true;
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
  });
  process.once('exit', () => {
    if (!started) return;
    // Same-thread inspector sessions answer synchronously, so this completes before exit.
    session.post('Profiler.stop', (err, res) => {
      if (err) return;
      const d = new Date().toISOString().replace(/[-:]/g, '').replace('T', '.').slice(0, 15);
      writeFileSync(
        path.join(dir, `CPU.${d}.${process.pid}.0.001.cpuprofile`),
        JSON.stringify(res.profile),
      );
    });
  });
}
