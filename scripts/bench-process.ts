// What the benchmark scripts share: timing a whole process (wall and CPU), medians, and the
// lines they print. Figures only; nothing here asserts a timing.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..");

export interface ProcessTime {
    wallMs: number;
    /** User + system CPU of the process and its children, as bash's `times` reports them. */
    cpuMs: number;
    stdout: string;
    stderr: string;
    status: number | null;
}

// bash runs the command and then `times` on fd 3: its second line is the CPU of the waited
// children (the command), which Node cannot read for a spawned process. bash's own start
// (a few ms) is in every wall time alike.
const TIMES = `"$@" >"$GOSHIP_BENCH_OUT"; rc=$?; times >&3; exit $rc`;

/**
 * Runs `command args` in ROOT to its end and times it. Its stdout goes to a file (a checker's
 * report can be megabytes); fails unless its exit status is one of `ok`.
 */
export function timeProcess(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; ok?: number[] } = {}): ProcessTime {
    return inTempDir("goship-bench-out-", (dir) => {
        const out = path.join(dir, "stdout");
        const start = process.hrtime.bigint();
        const r = spawnSync("bash", ["-c", TIMES, "bench", command, ...args], {
            cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe", "pipe"],
            env: { ...process.env, ...opts.env, GOSHIP_BENCH_OUT: out },
        });
        const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
        const stdout = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
        if (r.error) throw r.error;
        if (!(opts.ok ?? [0]).includes(r.status ?? -1)) {
            throw new Error(`${command} ${args.join(" ")} exited ${r.status}\n${stdout.slice(0, 2000)}\n${r.stderr}`);
        }
        const children = String(r.output[3] ?? "").trim().split("\n")[1] ?? "";
        const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(children.trim());
        if (!m) throw new Error(`could not read bash's times output: ${JSON.stringify(r.output[3])}`);
        const cpuMs = (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
        return { wallMs, cpuMs, stdout, stderr: r.stderr, status: r.status };
    });
}

/** Runs `f` with a new empty directory under the system's temp dir, removed afterwards. */
export function inTempDir<T>(prefix: string, f: (dir: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    try {
        return f(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const medianWall = (runs: ProcessTime[]) => median(runs.map((r) => r.wallMs));
export const medianCpu = (runs: ProcessTime[]) => median(runs.map((r) => r.cpuMs));
export const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `name   median 1.23 s   (runs: …)`: one timed thing of a benchmark. */
export function row(name: string, xs: number[]): string {
    return `${name.padEnd(44)} median ${sec(median(xs)).padStart(8)}   (runs: ${xs.map((x) => (x / 1000).toFixed(2)).join(", ")})`;
}

/** `name   median 1.23 s wall, 1.40 s CPU   (runs: …)`: a whole process. */
export function processRow(name: string, runs: ProcessTime[]): string {
    const wall = runs.map((r) => r.wallMs), cpu = runs.map((r) => r.cpuMs);
    return `${name.padEnd(44)} median ${sec(median(wall)).padStart(8)} wall, ${sec(median(cpu))} CPU   (runs, wall: ${wall.map((x) => (x / 1000).toFixed(2)).join(", ")})`;
}

/** `name   1.23x  (goal ≤ 1.50x: met)`: one of issue #16's ratios against its goal. */
export function goal(name: string, value: number, limit: number, direction: "≤" | "≥" = "≤"): string {
    // Judged as printed, so that a line never reads "1.50x (goal ≤ 1.50x: NOT met)".
    const shown = value.toFixed(2);
    const met = direction === "≤" ? Number(shown) <= limit : Number(shown) >= limit;
    return `${name.padEnd(58)} ${shown}x  (goal ${direction} ${limit.toFixed(2)}x: ${met ? "met" : "NOT met"})`;
}
