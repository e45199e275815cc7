// What the tests read and write through the API server (@kubernetes/client-node), and the one
// piece of the outside world the fake cluster lacks: an ingress controller publishing each
// Ingress's load-balancer address, which the Kubernetes provider waits for.
import * as k8s from "@kubernetes/client-node";

export type Obj = k8s.KubernetesObject & { spec?: any; status?: any; data?: any; stringData?: any };

export class Kube {
    readonly config = new k8s.KubeConfig();
    readonly objects: k8s.KubernetesObjectApi;
    readonly networking: k8s.NetworkingV1Api;

    constructor(readonly kubeconfig: string) {
        this.config.loadFromFile(kubeconfig);
        this.objects = k8s.KubernetesObjectApi.makeApiClient(this.config);
        this.networking = this.config.makeApiClient(k8s.NetworkingV1Api);
    }

    /** The object, or undefined when the API server has none. */
    async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<Obj | undefined> {
        try {
            return await this.objects.read<Obj>({ apiVersion, kind, metadata: { name, namespace } });
        } catch (e) {
            if (isNotFound(e)) return undefined;
            throw e;
        }
    }

    async must(apiVersion: string, kind: string, name: string, namespace?: string): Promise<Obj> {
        const o = await this.get(apiVersion, kind, name, namespace);
        if (!o) throw new Error(`${kind} ${namespace ?? ""}/${name} not found in the API server`);
        return o;
    }

    async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<Obj[]> {
        return (await this.objects.list<Obj>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector)).items;
    }

    /** A JSON merge patch, as `kubectl patch --type merge` sends. */
    async mergePatch(apiVersion: string, kind: string, name: string, namespace: string | undefined, patch: { metadata?: object; spec?: object }): Promise<Obj> {
        return this.objects.patch<Obj>({ ...patch, apiVersion, kind, metadata: { ...patch.metadata, name, namespace } } as Obj,
            undefined, undefined, "e2e-hand-edit", undefined, k8s.PatchStrategy.MergePatch);
    }

    /**
     * Gives a fake node the capacity a real kubelet reports, ephemeral storage included (kwok's
     * defaults have none, and goship's pods request it, so they would never schedule).
     */
    async setNodeCapacity(name: string, capacity: Record<string, string>): Promise<void> {
        const core = this.config.makeApiClient(k8s.CoreV1Api);
        // kwok writes the node's status too (heartbeats, conditions).
        await retryOnConflict(async () => {
            const node = await core.readNode({ name });
            node.status = { ...node.status, capacity: { ...node.status?.capacity, ...capacity }, allocatable: { ...node.status?.allocatable, ...capacity } };
            await core.replaceNodeStatus({ name, body: node });
        });
    }

    async createNode(name: string): Promise<void> {
        await this.objects.create({
            apiVersion: "v1", kind: "Node",
            metadata: {
                name, annotations: { "kwok.x-k8s.io/node": "fake" },
                labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" },
            },
        });
    }

    async waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        let last: unknown;
        while (Date.now() < deadline) {
            try {
                const v = await probe();
                if (v) return v;
            } catch (e) {
                last = e;
            }
            await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last}` : ""}`);
    }

    /**
     * Plays the ingress controller's part: every Ingress without a load-balancer address gets
     * 127.0.0.1 in its status, as ingress-nginx publishes its Service's address. Polls until stopped.
     */
    publishIngressStatus(intervalMs = 250): { stop(): Promise<void> } {
        let running = true;
        const loop = (async () => {
            while (running) {
                try {
                    const list = await this.networking.listIngressForAllNamespaces();
                    for (const ing of list.items) {
                        if (ing.status?.loadBalancer?.ingress?.length) continue;
                        ing.status = { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } };
                        await this.networking.replaceNamespacedIngressStatus({
                            name: ing.metadata!.name!, namespace: ing.metadata!.namespace!, body: ing,
                        }).catch(() => undefined); // a conflict or a deleted Ingress: next round
                    }
                } catch {
                    // the API server is starting or stopping
                }
                await new Promise((r) => setTimeout(r, intervalMs));
            }
        })();
        return { stop: async () => { running = false; await loop; } };
    }
}

/** Whether a client-node error is this HTTP status. */
function hasStatus(e: unknown, code: number): boolean {
    return (e as any)?.code === code || (e as any)?.statusCode === code || new RegExp(`HTTP-Code: ${code}|"code":${code}`).test(String((e as any)?.message ?? e));
}

export function isNotFound(e: unknown): boolean {
    return hasStatus(e, 404);
}

/** A write that lost a race with another writer of the same object (optimistic concurrency). */
export function isConflict(e: unknown): boolean {
    return hasStatus(e, 409);
}

/**
 * Runs a read-modify-replace again while it loses the race with a controller writing the same
 * object (409 Conflict), as client-go's RetryOnConflict does; bounded, then the error stands.
 */
export async function retryOnConflict(readModifyReplace: () => Promise<void>, attempts = 20): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await readModifyReplace();
        } catch (e) {
            if (!isConflict(e) || attempt >= attempts) throw e;
            await new Promise((r) => setTimeout(r, 50 * attempt));
        }
    }
}
