import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "./config/placement";
import { egressPolicies } from "./egress";
import { quantities } from "./resources";

export interface AppNamespaceArgs {
    /** Namespace name (a DNS label). */
    name: pulumi.Input<string>;
    /** Pod Security Standard enforced by the API server. Prod must use "restricted". @default "restricted" */
    podSecurityLevel?: pulumi.Input<"restricted" | "baseline" | "privileged">;
    /** Labels added to the namespace. */
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Total compute (and ephemeral storage, when given) the namespace may request/limit, and
     * its pod count. Once the quota sets ephemeral storage, every pod must declare it: the
     * LimitRange below fills it in for containers that do not.
     */
    quota: pulumi.Input<{
        requestsCpu: string; requestsMemory: string; limitsCpu: string; limitsMemory: string; pods: number;
        requestsEphemeralStorage?: string; limitsEphemeralStorage?: string;
    }>;
    /** Defaults for containers that declare no resources (goship's own always declare them). */
    defaultRequests?: pulumi.Input<{ cpu: string; memory: string; ephemeralStorage?: string }>;
    defaultLimits?: pulumi.Input<{ cpu?: string; memory: string; ephemeralStorage?: string }>;
    /** Namespace of the ingress controller: the only one allowed to reach the app port. */
    ingressControllerNamespace: pulumi.Input<string>;
    /** The container port the ingress controller (and scrapers) may reach. */
    appPort: pulumi.Input<number>;
    /** Further namespaces allowed to reach the app port, e.g. a Prometheus namespace. @default [] */
    allowFromNamespaces?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Egress control: default-deny egress for the namespace, DNS and `allow` destinations
     * for the pods `appPodLabels` select. @default undefined (no egress policy: open)
     */
    egress?: EgressConfig;
    /** Labels of the app's pods, which the egress allows select. @default {} (every pod) */
    appPodLabels?: Record<string, string>;
}

/**
 * AppNamespace is a component that creates the app's namespace with Pod Security labels,
 * a ResourceQuota and LimitRange, a default-deny ingress NetworkPolicy and one policy that
 * lets the ingress controller's namespace reach the app port, and, when egress is given,
 * default-deny egress with an allow for DNS and for each configured destination.
 */
export class AppNamespace extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    /** The namespace's name, resolved once the Namespace exists (use it to order children). */
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: AppNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:AppNamespace", name, {}, opts);
        const level = args.podSecurityLevel ?? "restricted";
        this.namespace = new k8s.core.v1.Namespace(`${name}-ns`, {
            metadata: {
                name: args.name,
                labels: pulumi.all([args.labels ?? {}, level]).apply(([labels, l]) => ({
                    ...labels,
                    "pod-security.kubernetes.io/enforce": l,
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    // warn/audit at restricted even when enforcing less, so drift shows up.
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                })),
            },
        }, { parent: this });
        this.name = this.namespace.metadata.name;
        const ns = this.name;
        const child = { parent: this };

        new k8s.core.v1.ResourceQuota(`${name}-quota`, {
            metadata: { name: "compute", namespace: ns },
            spec: {
                hard: pulumi.output(args.quota).apply((q) => ({
                    "requests.cpu": q.requestsCpu,
                    "requests.memory": q.requestsMemory,
                    "limits.cpu": q.limitsCpu,
                    "limits.memory": q.limitsMemory,
                    ...(q.requestsEphemeralStorage ? { "requests.ephemeral-storage": q.requestsEphemeralStorage } : {}),
                    ...(q.limitsEphemeralStorage ? { "limits.ephemeral-storage": q.limitsEphemeralStorage } : {}),
                    pods: String(q.pods),
                })),
            },
        }, child);

        new k8s.core.v1.LimitRange(`${name}-limits`, {
            metadata: { name: "defaults", namespace: ns },
            spec: {
                limits: [{
                    type: "Container",
                    defaultRequest: pulumi.output(args.defaultRequests ?? { cpu: "100m", memory: "64Mi", ephemeralStorage: "64Mi" }).apply(quantities),
                    default: pulumi.output(args.defaultLimits ?? { cpu: "500m", memory: "128Mi", ephemeralStorage: "256Mi" }).apply(quantities),
                }],
            },
        }, child);

        new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, {
            metadata: { name: "default-deny-ingress", namespace: ns },
            spec: { podSelector: {}, policyTypes: ["Ingress"] },
        }, child);

        const sources = pulumi.all([args.ingressControllerNamespace, args.allowFromNamespaces ?? []])
            .apply(([ctl, extra]) => [ctl, ...extra].map((n) => ({
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } },
            })));
        new k8s.networking.v1.NetworkPolicy(`${name}-allow-ingress`, {
            metadata: { name: "allow-ingress-controller", namespace: ns },
            spec: {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [{ from: sources, ports: [{ protocol: "TCP", port: args.appPort }] }],
            },
        }, child);

        for (const p of args.egress ? egressPolicies(args.appPodLabels ?? {}, args.egress) : []) {
            new k8s.networking.v1.NetworkPolicy(`${name}-${p.name}`, {
                metadata: { name: p.name, namespace: ns, annotations: { "goship.dev/purpose": p.purpose } },
                spec: p.spec,
            }, child);
        }

        this.registerOutputs({ name: this.name }); // no child resources: see Release (update plans)
    }
}
