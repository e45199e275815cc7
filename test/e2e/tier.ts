// The real-engine tier: the toolchain (or the user's own Pulumi CLI), a cluster (a fresh
// fake-node control plane, or the one GOSHIP_E2E_KUBECONFIG names, e.g. kind in GitHub
// Actions), the ingress-status stand-in and an engine environment that never leaves this
// machine: a file backend and PULUMI_HOME in a temp dir, passphrase secrets, no update checks,
// no plugin downloads. Mocha's root hooks (hooks.ts) start it once and always stop it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Cluster, startCluster } from "./cluster";
import { Kube } from "./kube";
import { ensureToolchain, pulumiOnPath, toolchainPresent } from "./toolchain";

export interface Tier {
    /** Temp dir of this run: cluster data, engine state, the project copy. */
    work: string;
    kubeconfig: string;
    kube: Kube;
    /** Environment of every engine run. */
    env: Record<string, string>;
    /** Directory whose bin/ holds the `pulumi` to run. */
    pulumiRoot: string;
    /** "fake-node" or "existing cluster". */
    cluster: string;
    stop(): Promise<void>;
}

export async function startTier(): Promise<Tier> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "goship-e2e-"));
    let cluster: Cluster | undefined;
    let publisher: { stop(): Promise<void> } | undefined;
    const stop = async () => {
        await publisher?.stop();
        await cluster?.stop();
        if (!process.env.GOSHIP_E2E_KEEP) fs.rmSync(work, { recursive: true, force: true });
    };
    try {
        const existing = process.env.GOSHIP_E2E_KUBECONFIG;
        let bin: string;
        let kubeconfig: string;
        if (existing) {
            const onPath = pulumiOnPath();
            if (!onPath) throw new Error("GOSHIP_E2E_KUBECONFIG is set but no `pulumi` is on PATH: install the Pulumi CLI");
            bin = onPath;
            kubeconfig = path.resolve(existing);
        } else {
            if (!toolchainPresent()) {
                throw new Error("no toolchain at ../shared/e2e/toolchain.tar.xz and no GOSHIP_E2E_KUBECONFIG: nothing to run against");
            }
            bin = ensureToolchain();
            fs.mkdirSync(path.join(work, "cluster"));
            cluster = await startCluster(bin, path.join(work, "cluster"));
            kubeconfig = cluster.kubeconfig;
        }
        const kube = new Kube(kubeconfig);
        if (cluster) {
            await kube.createNode("fake-node-0");
            await kube.waitFor("the fake node to be Ready", async () => {
                const n = await kube.get("v1", "Node", "fake-node-0");
                return n?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
            });
            await kube.setNodeCapacity("fake-node-0", { cpu: "32", memory: "256Gi", pods: "110", "ephemeral-storage": "100Gi" });
        }
        publisher = kube.publishIngressStatus();
        for (const d of ["home", "state"]) fs.mkdirSync(path.join(work, d));
        const env: Record<string, string> = {
            PATH: [bin, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
            KUBECONFIG: kubeconfig,
            PULUMI_HOME: path.join(work, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-test-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
        };
        // The Automation API takes the CLI from <root>/bin/pulumi.
        const pulumiRoot = path.dirname(bin);
        if (!fs.existsSync(path.join(pulumiRoot, "bin", "pulumi"))) throw new Error(`expected ${pulumiRoot}/bin/pulumi`);
        return { work, kubeconfig, kube, env, pulumiRoot, cluster: cluster ? "fake-node" : "existing cluster", stop };
    } catch (e) {
        await stop();
        throw e;
    }
}
