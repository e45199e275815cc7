import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface IngressNginxArgs {
    /** Namespace the controller runs in (created by this component). @default "ingress-nginx" */
    namespace?: pulumi.Input<string>;
    /** Exact chart version: a range would make previews unreproducible. */
    chartVersion: pulumi.Input<string>;
    /** Controller replicas; prod runs ≥ 2 with a PodDisruptionBudget. @default 2 */
    replicas?: pulumi.Input<number>;
    /** Chart repository. @default "https://kubernetes.github.io/ingress-nginx" */
    repo?: pulumi.Input<string>;
    /** IngressClass the controller serves. @default "nginx" */
    className?: pulumi.Input<string>;
    /** Extra chart values, merged over goship's. */
    values?: pulumi.Input<Record<string, unknown>>;
}

/** The chart values goship sets: metrics on, a PDB and anti-affinity when replicated. */
export function ingressNginxValues(replicas: number, className: string): Record<string, unknown> {
    return {
        controller: {
            replicaCount: replicas,
            ingressClass: className,
            ingressClassResource: { name: className, default: false },
            metrics: { enabled: true },
            podAnnotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "10254" },
            // Snippets let any Ingress author inject nginx config (CVE-2021-25742 and successors).
            allowSnippetAnnotations: false,
            minAvailable: 1,
            ...(replicas > 1 ? {
                affinity: {
                    podAntiAffinity: {
                        preferredDuringSchedulingIgnoredDuringExecution: [{
                            weight: 100,
                            podAffinityTerm: {
                                topologyKey: "kubernetes.io/hostname",
                                labelSelector: { matchLabels: { "app.kubernetes.io/component": "controller" } },
                            },
                        }],
                    },
                },
            } : {}),
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        },
    };
}

/**
 * IngressNginx is a component that installs the ingress-nginx controller from its Helm
 * chart with `helm.v4.Chart`, whose objects are rendered as child resources that
 * previews show and policies check (a v3 Release would hide them in one opaque object).
 */
export class IngressNginx extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: IngressNginxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:IngressNginx", name, {}, opts);
        const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
            // The controller needs NET_BIND_SERVICE and more: "baseline" is what it can run under.
            metadata: {
                name: args.namespace ?? "ingress-nginx",
                labels: { "pod-security.kubernetes.io/enforce": "baseline" },
            },
        }, { parent: this });
        this.namespace = ns.metadata.name;
        const replicas = pulumi.output(args.replicas ?? 2);
        const className = pulumi.output(args.className ?? "nginx");
        this.chart = new k8s.helm.v4.Chart(`${name}-chart`, {
            chart: "ingress-nginx",
            version: args.chartVersion,
            repositoryOpts: { repo: args.repo ?? "https://kubernetes.github.io/ingress-nginx" },
            namespace: this.namespace,
            values: pulumi.all([replicas, className, args.values ?? {}]).apply(([r, c, extra]) =>
                deepMerge(ingressNginxValues(r, c), extra)),
        }, { parent: this });
        this.registerOutputs({ namespace: this.namespace }); // no child resources: see Release (update plans)
    }
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) {
        const prev = out[key];
        out[key] = isObject(prev) && isObject(value) ? deepMerge(prev, value) : value;
    }
    return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
