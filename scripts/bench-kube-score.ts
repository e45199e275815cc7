// Benchmark: `npm run bench:policy` as a whole process (node start, loading the pack, making the
// objects, checking them) against kube-score, a well-known Go manifest checker, over the same
// objects (bench:policy's `--yaml` writes them). Side by side, wall and CPU of both processes.
// Without a kube-score binary it times bench:policy alone and says how to install one.
// CI does not install kube-score: its `go install` from an empty module and build cache took 77 s
// on the 2-core machine (its Kubernetes client libraries), more than the whole benchmark; CI's
// round prints bench:policy's resources/s instead.
import * as fs from "fs";
import * as path from "path";
import { goal, inTempDir, medianCpu, medianWall, ProcessTime, processRow, timeProcess } from "./bench-process";

export const KUBE_SCORE_INSTALL = "go install github.com/zegl/kube-score/cmd/kube-score@v1.20.0";

/** $KUBE_SCORE if set, else `kube-score` on PATH; undefined with the reason when there is none. */
export function findKubeScore(env: NodeJS.ProcessEnv = process.env): { bin?: string; missing?: string } {
    const executable = (f: string) => { try { fs.accessSync(f, fs.constants.X_OK); return fs.statSync(f).isFile(); } catch { return false; } };
    if (env.KUBE_SCORE) return executable(env.KUBE_SCORE) ? { bin: env.KUBE_SCORE } : { missing: `KUBE_SCORE=${env.KUBE_SCORE} is not an executable file` };
    const bin = (env.PATH ?? "").split(path.delimiter).filter(Boolean).map((d) => path.join(d, "kube-score")).find(executable);
    return bin ? { bin } : { missing: "not on PATH and KUBE_SCORE unset" };
}

export interface PolicyBench { count: number; goship: ProcessTime[]; kubeScore: ProcessTime[]; kubeScoreBin?: string; missing?: string }

export function benchPolicy(rounds: number, count: number): PolicyBench {
    const policy = ["-r", "./engine/sucrase.js", "offline/bench-policy.ts", String(count)];
    const { bin, missing } = findKubeScore();
    return inTempDir("goship-bench-policy-", (dir) => {
        const yaml = path.join(dir, "objects.yaml");
        // Untimed: writes the objects for kube-score (and warms the loader's cache).
        timeProcess(process.execPath, [...policy, "--yaml", yaml]);
        const r: PolicyBench = { count, goship: [], kubeScore: [], kubeScoreBin: bin, missing };
        for (let i = 0; i < rounds; i++) {
            const g = timeProcess(process.execPath, policy);
            if (!new RegExp(`^policy pack over ${count} resources: `).test(g.stdout)) throw new Error(`bench:policy printed no result:\n${g.stdout}`);
            r.goship.push(g);
            if (!bin) continue;
            // -o ci: one line a check, what a pipeline would read. Exit 1 means "found critical
            // problems" (our fixtures have some by kube-score's defaults); an unreadable input
            // is exit 1 too but reports on stderr and checks nothing.
            const k = timeProcess(bin, ["score", "-o", "ci", yaml], { ok: [0, 1] });
            if (k.stderr.trim() || !/^\[(OK|WARNING|CRITICAL|SKIPPED)\] /m.test(k.stdout)) throw new Error(`kube-score checked nothing:\n${k.stderr}\n${k.stdout.slice(0, 2000)}`);
            r.kubeScore.push(k);
        }
        return r;
    });
}

export function policyReport(r: PolicyBench): string[] {
    const lines = [
        processRow(`bench:policy, whole process, ${r.count} objects`, r.goship),
        `  = ${(r.count / (medianWall(r.goship) / 1000)).toFixed(0)} resources/s of wall time, ${(r.count / (medianCpu(r.goship) / 1000)).toFixed(0)} per CPU second`,
    ];
    if (!r.kubeScoreBin) {
        lines.push(`kube-score not found (${r.missing}): no ratio against it; install it with \`${KUBE_SCORE_INSTALL}\` (then put $(go env GOPATH)/bin on PATH, or set KUBE_SCORE)`);
        return lines;
    }
    lines.push(
        processRow(`kube-score score -o ci, ${r.count} objects`, r.kubeScore),
        `  kube-score: ${r.kubeScoreBin}`,
        goal("kube-score / bench:policy, CPU (goship's speed-up)", medianCpu(r.kubeScore) / medianCpu(r.goship), 2, "≥"),
        goal("kube-score / bench:policy, wall (goship's speed-up)", medianWall(r.kubeScore) / medianWall(r.goship), 2, "≥"),
    );
    return lines;
}
