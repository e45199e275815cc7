// A fresh fake-node Kubernetes control plane per run, on 127.0.0.1 only: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok with one fake node whose pods turn Ready, so
// the Kubernetes provider's readiness waits are real. Every process is started here and stopped
// here, by pid, even when a test fails or the run is interrupted. Free ports are picked per run
// so that two runs (or a leftover process) never collide.
import { ChildProcess, spawn } from "child_process";
import { generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import * as YAML from "yaml";
import { SHARED_E2E } from "./toolchain";

/** Pods running this image never turn Ready (scenario: a candidate that never becomes Ready). */
export const NEVER_READY_IMAGE = "goship:never-ready";

export interface Cluster {
    kubeconfig: string;
    dir: string;
    stop(): Promise<void>;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as net.AddressInfo;
            srv.close(() => resolve(port));
        });
        srv.on("error", reject);
    });
}

/**
 * kwok's default stages, with the pod-ready stage told to skip pods of NEVER_READY_IMAGE: they
 * stay Pending, like a container whose readiness probe never passes.
 */
export function stagesWithNeverReady(): string {
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(SHARED_E2E, "kwok-stages.yaml"), "utf8")).map((d) => d.toJS());
    const ready = docs.find((d) => d?.kind === "Stage" && d.metadata?.name === "pod-ready");
    if (!ready) throw new Error("kwok-stages.yaml has no pod-ready stage");
    ready.spec.selector.matchExpressions.push({ key: ".spec.containers.[0].image", operator: "NotIn", values: [NEVER_READY_IMAGE] });
    return docs.filter((d) => d?.kind === "Stage").map((d) => YAML.stringify(d)).join("---\n");
}

async function waitFor(what: string, check: () => Promise<boolean>, procs: ChildProcess[], log: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await check().catch(() => false)) return;
        const dead = procs.find((p) => p.exitCode !== null);
        if (dead) throw new Error(`${what}: ${dead.spawnfile} exited (${dead.exitCode}); see ${log}`);
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${what}: not ready within ${timeoutMs / 1000} s; see ${log}`);
}

/** Starts the control plane in `dir` (a fresh temp dir) from the binaries in `bin`. */
export async function startCluster(bin: string, dir: string): Promise<Cluster> {
    const procs: ChildProcess[] = [];
    const stop = async () => {
        for (const p of procs.reverse()) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
        const deadline = Date.now() + 10_000;
        while (procs.some((p) => p.exitCode === null && p.signalCode === null) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
        }
        for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    };
    const start = (name: string, args: string[]) => {
        const out = fs.openSync(path.join(dir, `${name}.log`), "a");
        const p = spawn(path.join(bin, name), args, { stdio: ["ignore", out, out] });
        fs.closeSync(out);
        fs.writeFileSync(path.join(dir, `${name}.pid`), String(p.pid));
        procs.push(p);
        return p;
    };
    try {
        const [etcdClient, etcdPeer, apiPort, cmPort, schedPort, kwokPort] = await Promise.all(Array.from({ length: 6 }, freePort));
        const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(path.join(dir, "sa.key"), privateKey.export({ type: "pkcs1", format: "pem" }));
        fs.writeFileSync(path.join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
        const token = randomBytes(16).toString("hex");
        fs.writeFileSync(path.join(dir, "tokens.csv"), `${token},admin,admin,system:masters\n`);

        start("etcd", [
            "--data-dir", path.join(dir, "etcd"), "--unsafe-no-fsync",
            "--listen-client-urls", `http://127.0.0.1:${etcdClient}`, "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
            "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
            "--initial-cluster", `default=http://127.0.0.1:${etcdPeer}`, "--listen-metrics-urls", "",
        ]);
        // TaintNodesByCondition off: the node-lifecycle controller that would lift the fake
        // node's not-ready taint is not run, and without it no pod schedules.
        start("kube-apiserver", [
            "--etcd-servers", `http://127.0.0.1:${etcdClient}`, "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
            "--secure-port", String(apiPort), "--cert-dir", path.join(dir, "certs"), "--token-auth-file", path.join(dir, "tokens.csv"),
            "--authorization-mode", "RBAC", "--service-account-key-file", path.join(dir, "sa.pub"),
            "--service-account-signing-key-file", path.join(dir, "sa.key"), "--service-account-issuer", "https://kubernetes.default.svc",
            "--service-cluster-ip-range", "10.96.0.0/16", "--disable-admission-plugins", "ServiceAccount,TaintNodesByCondition",
        ]);
        const server = `https://127.0.0.1:${apiPort}`;
        await waitFor("kube-apiserver", () => readyz(apiPort, token), procs, path.join(dir, "kube-apiserver.log"));

        const kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, YAML.stringify({
            apiVersion: "v1", kind: "Config", "current-context": "e2e",
            clusters: [{ name: "e2e", cluster: { server, "insecure-skip-tls-verify": true } }],
            users: [{ name: "admin", user: { token } }],
            contexts: [{ name: "e2e", context: { cluster: "e2e", user: "admin" } }],
        }));
        fs.copyFileSync(path.join(dir, "certs", "apiserver.crt"), path.join(dir, "ca.crt"));
        const kc = ["--kubeconfig", kubeconfig, "--authentication-kubeconfig", kubeconfig, "--authorization-kubeconfig", kubeconfig];
        start("kube-controller-manager", [
            ...kc, "--service-account-private-key-file", path.join(dir, "sa.key"), "--root-ca-file", path.join(dir, "ca.crt"),
            "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", String(cmPort), "--use-service-account-credentials=false",
            "--controllers", "*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-persistentvolume-binder,-attachdetach",
        ]);
        start("kube-scheduler", [...kc, "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", String(schedPort)]);
        const stages = path.join(dir, "kwok-stages.yaml");
        fs.writeFileSync(stages, stagesWithNeverReady());
        start("kwok", [
            "--kubeconfig", kubeconfig, "--config", stages, "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector", "kwok.x-k8s.io/node=fake", "--cidr", "10.0.0.1/16", "--node-ip", "127.0.0.1",
            "--server-address", `127.0.0.1:${kwokPort}`,
        ]);
        return { kubeconfig, dir, stop };
    } catch (e) {
        await stop();
        throw e;
    }
}

/** GET /readyz over loopback TLS (the apiserver's certificate is self-signed). */
function readyz(port: number, token: string): Promise<boolean> {
    return new Promise((resolve) => {
        const req = https.get({ host: "127.0.0.1", port, path: "/readyz", headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 2000 },
            (res) => {
                res.resume();
                resolve(res.statusCode === 200);
            });
        req.on("error", () => resolve(false));
        req.on("timeout", () => req.destroy());
    });
}
