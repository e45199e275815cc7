// Real processes for tests, on 127.0.0.1 only: the Go service (built once with
// app/build.sh) and Prometheus (Debian's package). Every process is stopped by stopAll().
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { ROOT } from "../../offline/stack-config";

const children: ChildProcess[] = [];
const dirs: string[] = [];

export function tempDir(prefix: string): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
}

let binary: string | undefined;

/** Builds the Go service once, with the same script the Dockerfile runs. */
export function goshipBinary(): string {
    if (binary) return binary;
    const out = path.join(tempDir("goship-bin-"), "goship");
    execFileSync("sh", [path.join(ROOT, "app/build.sh"), out], { env: { ...process.env, VERSION: "test", COMMIT: "test" }, stdio: "pipe" });
    binary = out;
    return out;
}

/** Starts one instance of the Go service; resolves with its address once it logs it. */
export function startGoship(env: Record<string, string>): Promise<{ addr: string; proc: ChildProcess }> {
    const proc = spawn(goshipBinary(), [], {
        env: { BIND_ADDR: "127.0.0.1:0", LOG_LEVEL: "info", ...env },
        stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(proc);
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("goship did not report its address within 10 s")), 10_000);
        proc.once("exit", (code) => reject(new Error(`goship exited early (${code})`)));
        readline.createInterface({ input: proc.stdout! }).on("line", (line) => {
            try {
                const rec = JSON.parse(line);
                if (rec.msg === "listening") {
                    clearTimeout(timer);
                    resolve({ addr: rec.addr, proc });
                }
            } catch { /* not JSON */ }
        });
    });
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
        srv.on("error", reject);
    });
}

export const PROMETHEUS = "/usr/bin/prometheus";

/** A static target group: its targets get `labels` (e.g. a namespace, as Kubernetes discovery would add). */
export interface TargetGroup { targets: string[]; labels: Record<string, string> }

/**
 * Starts Prometheus on 127.0.0.1 scraping `targets` every second; resolves when ready.
 * Target groups may carry labels, and rule files are evaluated every second.
 */
export async function startPrometheus(targets: string[] | TargetGroup[], ruleFiles: string[] = []): Promise<string> {
    const dir = tempDir("goship-prom-");
    const port = await freePort();
    const groups: TargetGroup[] = targets.length > 0 && typeof targets[0] === "string"
        ? [{ targets: targets as string[], labels: {} }] : targets as TargetGroup[];
    fs.writeFileSync(path.join(dir, "prometheus.yml"), JSON.stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        rule_files: ruleFiles,
        scrape_configs: [{ job_name: "goship", static_configs: groups }],
    }, null, 2)); // JSON is YAML
    const proc = spawn(PROMETHEUS, [
        `--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn",
    ], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr!.on("data", (d) => { stderr += d; });
    children.push(proc);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
        try {
            const r = await fetch(`${url}/-/ready`);
            if (r.ok) return url;
        } catch { /* not up yet */ }
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus not ready within 30 s: ${stderr}`);
}

/** Sends at most `count` GET requests to `url` with `concurrency` workers over about `seconds`. */
export async function load(url: string, count: number, concurrency: number, seconds: number): Promise<{ ok: number; failed: number }> {
    const perWorker = Math.ceil(count / concurrency);
    const pause = (seconds * 1000) / perWorker;
    let ok = 0;
    let failed = 0;
    const deadline = Date.now() + (seconds + 10) * 1000;
    await Promise.all(Array.from({ length: concurrency }, async () => {
        for (let i = 0; i < perWorker && Date.now() < deadline; i++) {
            try {
                const r = await fetch(url);
                await r.arrayBuffer();
                if (r.status === 200) ok++;
                else failed++;
            } catch {
                failed++;
            }
            await new Promise((r) => setTimeout(r, pause));
        }
    }));
    return { ok, failed };
}

export function stopAll(): void {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    binary = undefined;
}
