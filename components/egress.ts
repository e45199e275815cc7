// The app namespace's egress NetworkPolicies as plain specs (pure). Default-deny egress
// for every pod of the namespace, then one small allow per destination, each saying in
// an annotation why it exists. Replies to allowed inbound connections need no egress
// rule (NetworkPolicies are stateful), and the kubelet's probes are not pod egress.
import type * as k8s from "@pulumi/kubernetes";
import type { EgressConfig, EgressPeer } from "./config/placement";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;

export interface EgressPolicy {
    name: string;
    purpose: string;
    spec: Spec;
}

/** A NetworkPolicy peer for a destination: an ipBlock, or pods by namespace and labels. */
export function egressPeer(p: EgressPeer): k8s.types.input.networking.v1.NetworkPolicyPeer {
    if (p.cidr) return { ipBlock: { cidr: p.cidr, ...(p.except?.length ? { except: p.except } : {}) } };
    return {
        ...(p.namespace ? { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": p.namespace } } } : {}),
        ...(p.podLabels ? { podSelector: { matchLabels: { ...p.podLabels } } } : {}),
    };
}

/**
 * The egress policies for a namespace whose app pods carry `appPods` labels; none when
 * egress control is off. Allows select the app's pods only: anything else a user runs in
 * the namespace stays denied until they allow it.
 */
export function egressPolicies(appPods: Record<string, string>, egress: EgressConfig): EgressPolicy[] {
    if (!egress.enabled) return [];
    const podSelector = { matchLabels: { ...appPods } };
    return [
        {
            name: "default-deny-egress",
            purpose: "deny every outbound connection of the namespace's pods unless another policy allows it",
            spec: { podSelector: {}, policyTypes: ["Egress"] },
        },
        {
            name: "allow-egress-dns",
            purpose: "cluster DNS (port 53, UDP and TCP for large answers)",
            spec: {
                podSelector,
                policyTypes: ["Egress"],
                egress: [{ to: [egressPeer(egress.dns)], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
            },
        },
        ...egress.allow.map((a): EgressPolicy => ({
            name: `allow-egress-${a.name}`,
            purpose: `${a.name} (goship:egress.allow)`,
            spec: {
                podSelector,
                policyTypes: ["Egress"],
                egress: [{ to: [egressPeer(a)], ports: a.ports.map((port) => ({ protocol: a.protocol, port })) }],
            },
        })),
    ];
}

