// The result queries of an offline run: what the program registered, by type and name,
// and whether one resource waits for another (the dependencies the engine would receive).
import { TYPES } from "../policy/lib/k8s";

export interface Registered {
    type: string;
    name: string;
    urn: string;
    /** Inputs as the program sent them, secrets unwrapped (see `secretPaths`). */
    inputs: any;
    /** Outputs the mock returned. */
    outputs: any;
    /** Dotted paths of input values that were secret. */
    secretPaths: string[];
    provider?: string;
    parent?: string;
    dependsOn?: string[];
}

export interface RunResult {
    resources: Registered[];
    /** Objects the program read (`Resource.get`), with what the read returned. */
    reads: Array<{ type: string; name: string; id: string; outputs: any }>;
    outputs: Record<string, unknown>;
    /** Resources of one type. */
    ofType(type: string): Registered[];
    /** The one resource of a type and name (Kubernetes `metadata.name` or Pulumi name); throws if absent. */
    get(type: string, name: string): Registered;
    /** Whether `a` waits for `b` (directly or through other resources) in this update. */
    waitsFor(a: Registered, b: Registered): boolean;
}

/** Wraps what a run registered, read and exported with the queries tests and the renderer use. */
export function runResult(resources: Registered[], reads: RunResult["reads"], outputs: Record<string, unknown>): RunResult {
    return {
        resources,
        reads,
        outputs,
        ofType: (type) => resources.filter((r) => r.type === type),
        waitsFor(a, b) {
            const byKey = new Map(resources.map((x) => [`${x.type}::${x.name}`, x]));
            const target = `${b.type}::${b.name}`;
            const seen = new Set<string>();
            const stack = [...(a.dependsOn ?? [])];
            while (stack.length > 0) {
                const k = stack.pop()!;
                if (k === target) return true;
                if (seen.has(k)) continue;
                seen.add(k);
                stack.push(...(byKey.get(k)?.dependsOn ?? []));
            }
            return false;
        },
        get(type, name) {
            const found = resources.filter((r) => r.type === type && (r.inputs?.metadata?.name === name || r.name === name));
            if (found.length !== 1) {
                const have = resources.filter((r) => r.type === type).map((r) => r.inputs?.metadata?.name ?? r.name);
                throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${have.join(", ")})`);
            }
            return found[0];
        },
    };
}

/** The Kubernetes objects a test cares about, reduced to the fields a release moves. */
export function trafficView(r: RunResult, app = "goship") {
    const dep = (t: string) => r.get(T.Deployment, `${app}-${t}`).inputs;
    const canary = r.ofType(T.Ingress).find((i) => i.inputs.metadata.name === `${app}-canary`)?.inputs;
    const preview = r.ofType(T.Service).find((s) => s.inputs.metadata.name === `${app}-preview`)?.inputs;
    const a = (k: string) => canary?.metadata?.annotations?.[`nginx.ingress.kubernetes.io/${k}`];
    return {
        mainSelectorTrack: r.get(T.Service, app).inputs.spec.selector["goship.dev/track"],
        replicas: { blue: dep("blue").spec.replicas, green: dep("green").spec.replicas },
        images: { blue: dep("blue").spec.template.spec.containers[0].image, green: dep("green").spec.template.spec.containers[0].image },
        roles: { blue: dep("blue").metadata.labels["goship.dev/role"], green: dep("green").metadata.labels["goship.dev/role"] },
        canary: canary && {
            backend: canary.spec.rules[0].http.paths[0].backend.service.name,
            weight: a("canary-weight"),
            header: a("canary-by-header"),
            headerValue: a("canary-by-header-value"),
        },
        previewSelectorTrack: preview?.spec.selector["goship.dev/track"],
        hpaTarget: r.ofType(T.HPA)[0]?.inputs.spec.scaleTargetRef.name,
    };
}

/** Type tokens: the Kubernetes kinds the policies know, plus the other resources goship registers. */
export const T = {
    ...TYPES,
    Chart: "kubernetes:helm.sh/v4:Chart",
    Image: "docker:index/image:Image",
} as const;
