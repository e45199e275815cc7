// Container resources from goship:resources, in the Kubernetes spelling (pure).
import type * as k8s from "@pulumi/kubernetes";

/** `goship:resources`: per-container requests and limits. */
export interface ResourcesConfig {
    /** ephemeralStorage: logs and the writable layer count against it (and the /tmp emptyDir, per pod). */
    requests: { cpu: string; memory: string; ephemeralStorage: string };
    limits: { cpu?: string; memory: string; ephemeralStorage: string };
}

type Quantities = { cpu?: string; memory: string; ephemeralStorage?: string };

/** `{cpu, memory, ephemeralStorage}` → `{cpu, memory, "ephemeral-storage"}`, leaving out what is unset. */
export function quantities(q: Quantities): Record<string, string> {
    const out: Record<string, string> = {};
    if (q.cpu) out.cpu = q.cpu;
    out.memory = q.memory;
    if (q.ephemeralStorage) out["ephemeral-storage"] = q.ephemeralStorage;
    return out;
}

/** A container's requests and limits: CPU, memory and ephemeral storage (logs, writable layer). */
export function resourceRequirements(r: ResourcesConfig): k8s.types.input.core.v1.ResourceRequirements {
    return { requests: quantities(r.requests), limits: quantities(r.limits) };
}
