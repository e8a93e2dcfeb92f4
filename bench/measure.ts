import { execFileSync } from 'node:child_process';

export interface Measurement {
  /** Median wall time, milliseconds. */
  ms: number;
  /** Peak resident memory of the largest process the command ran, MB. */
  peakMb: number;
}

/**
 * Runs a command `runs` times (after one warm-up) and reports its median wall time and peak
 * RSS. Python's getrusage(RUSAGE_CHILDREN) sees every process the command started, which
 * node cannot ask for.
 */
export function measure(command: readonly string[], options: { cwd: string; runs: number; env?: NodeJS.ProcessEnv }): Measurement {
  const script = [
    'import json, resource, subprocess, sys, time',
    'runs = int(sys.argv[1]); cmd = sys.argv[2:]; times = []',
    'for i in range(runs + 1):',
    '    start = time.perf_counter()',
    // The command's progress (stderr) stays out of the bench output, unless the command fails.
    '    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)',
    '    if done.returncode: sys.exit(f"{cmd} exited {done.returncode}: {done.stderr.decode()}")',
    '    if i: times.append((time.perf_counter() - start) * 1000)',
    'times.sort()',
    'print(json.dumps({"ms": times[len(times) // 2], "peakMb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script, String(options.runs), ...command], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out) as Measurement;
}

export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}x`;
}

export function verdict(ok: boolean): string {
  return ok ? 'meets target' : 'MISSES target';
}

export interface Contender {
  name: string;
  command: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Median wall time of each command, run in turns (one of each per round, after one warm-up
 * round), so that a noisy machine slows them all alike.
 */
export function measureInterleaved(contenders: readonly Contender[], runs: number): Record<string, number> {
  const script = [
    'import json, subprocess, sys, time',
    'spec = json.load(sys.stdin); times = {c["name"]: [] for c in spec["contenders"]}',
    'for i in range(spec["runs"] + 1):',
    '    for c in spec["contenders"]:',
    '        start = time.perf_counter()',
    '        done = subprocess.run(c["command"], cwd=c["cwd"], env=c["env"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)',
    '        if done.returncode: sys.exit(f"{c[\'name\']}: {c[\'command\']} exited {done.returncode}: {done.stderr.decode()}")',
    '        if i: times[c["name"]].append((time.perf_counter() - start) * 1000)',
    'print(json.dumps({name: sorted(t)[len(t) // 2] for name, t in times.items()}))',
  ].join('\n');
  const spec = { runs, contenders: contenders.map((c) => ({ ...c, env: { ...process.env, ...c.env } })) };
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(spec), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out) as Record<string, number>;
}
