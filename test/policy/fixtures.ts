// A complete, correct stack as plain objects (what a policy sees), and a helper to run
// one policy over a mutated copy. Failing cases are derived by mutating the good stack.
import * as assert from "assert";
import { GoshipResourcePolicy, GoshipStackPolicy } from "../../policy/lib/define";
import { Res, TYPES } from "../../policy/lib/k8s";
import { runPolicies, Violation } from "../../offline/policy-runner";

const NS = "shop";
const app = (track: string, extra: any = {}) => ({
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name: `shop-${track}`, namespace: NS, labels: { "app.kubernetes.io/name": "shop", "goship.dev/track": track, "goship.dev/role": track === "blue" ? "stable" : "candidate" } },
    spec: {
        replicas: track === "blue" ? undefined : 1,
        selector: { matchLabels: { "app.kubernetes.io/name": "shop", "goship.dev/track": track } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: track === "blue" ? 1 : 0 } },
        template: {
            metadata: { labels: { "app.kubernetes.io/name": "shop", "goship.dev/track": track, "app.kubernetes.io/version": "1.0.0" } },
            spec: {
                automountServiceAccountToken: false,
                terminationGracePeriodSeconds: 25,
                topologySpreadConstraints: [{
                    topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", maxSkew: 1,
                    labelSelector: { matchLabels: { "app.kubernetes.io/name": "shop", "goship.dev/track": track } },
                }],
                securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
                containers: [{
                    name: "app",
                    image: "registry.example.com/shop@sha256:" + "a".repeat(64),
                    imagePullPolicy: "Always",
                    ports: [{ name: "http", containerPort: 8080 }],
                    env: [{ name: "PORT", value: "8080" }],
                    envFrom: [{ configMapRef: { name: "shop-config" } }, { secretRef: { name: "shop-secret" } }],
                    resources: { requests: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "64Mi" }, limits: { cpu: "500m", memory: "128Mi", "ephemeral-storage": "256Mi" } },
                    startupProbe: { httpGet: { path: "/startupz", port: "http" }, failureThreshold: 30, periodSeconds: 10 },
                    livenessProbe: { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 15, periodSeconds: 20 },
                    readinessProbe: { httpGet: { path: "/readyz", port: "http" }, initialDelaySeconds: 5, periodSeconds: 10 },
                    lifecycle: { preStop: { sleep: { seconds: 5 } } },
                    securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532, capabilities: { drop: ["ALL"] } },
                }],
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
            },
        },
        ...extra,
    },
});
const svc = (name: string, track: string) => ({
    apiVersion: "v1", kind: "Service", metadata: { name, namespace: NS },
    spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "shop", "goship.dev/track": track }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
});
const ingress = (name: string, service: string, annotations: Record<string, string> = {}) => ({
    apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name, namespace: NS, annotations },
    spec: {
        ingressClassName: "nginx",
        tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
        rules: [{ host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { name: "http" } } } }] } }],
    },
});

/** The good stack: passes every policy under the prod config. */
export function goodStack(): Res[] {
    const objs: Array<[string, any]> = [
        [TYPES.Namespace, { apiVersion: "v1", kind: "Namespace", metadata: { name: NS, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }],
        [TYPES.ResourceQuota, { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute", namespace: NS }, spec: { hard: { pods: "20" } } }],
        [TYPES.LimitRange, { apiVersion: "v1", kind: "LimitRange", metadata: { name: "defaults", namespace: NS }, spec: { limits: [{ type: "Container" }] } }],
        [TYPES.NetworkPolicy, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-ingress", namespace: NS }, spec: { podSelector: {}, policyTypes: ["Ingress"] } }],
        [TYPES.NetworkPolicy, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-egress", namespace: NS }, spec: { podSelector: {}, policyTypes: ["Egress"] } }],
        [TYPES.NetworkPolicy, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-egress-dns", namespace: NS }, spec: {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "shop" } }, policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
        } }],
        [TYPES.ConfigMap, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "shop-config", namespace: NS }, data: { GREETING: "hello" } }],
        [TYPES.Secret, { apiVersion: "v1", kind: "Secret", metadata: { name: "shop-secret", namespace: NS }, stringData: { API_TOKEN: "[secret]" } }],
        [TYPES.Deployment, app("blue")],
        [TYPES.Deployment, app("green")],
        [TYPES.Service, svc("shop", "blue")],
        [TYPES.Service, svc("shop-blue", "blue")],
        [TYPES.Service, svc("shop-green", "green")],
        [TYPES.Ingress, ingress("shop", "shop")],
        [TYPES.Ingress, ingress("shop-canary", "shop-green", { "nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "20" })],
        [TYPES.HPA, { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "shop", namespace: NS },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "shop-blue" }, minReplicas: 3, maxReplicas: 10,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] } }],
        [TYPES.PDB, { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "shop-blue", namespace: NS },
            spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "shop", "goship.dev/track": "blue" } } } }],
    ];
    return objs.map(([type, props]) => ({ type, name: props.metadata.name, urn: `urn:pulumi:test::shop::${type}::${props.metadata.name}`, props }));
}

/** A deep copy of the good stack with one object changed. */
export function mutate(type: string, name: string, change: (props: any) => void, stack = goodStack()): Res[] {
    const copy: Res[] = JSON.parse(JSON.stringify(stack));
    const r = copy.find((x) => x.type === type && x.props.metadata.name === name);
    if (!r) throw new Error(`no ${type} ${name} in the fixture`);
    change(r.props);
    return copy;
}

export const without = (type: string, name: string, stack = goodStack()) =>
    stack.filter((r) => !(r.type === type && r.props.metadata.name === name));

export const container = (props: any) => props.spec.template.spec.containers[0];

/** Runs one policy (mandatory, with knobs) over resources. */
export function run(policy: GoshipResourcePolicy | GoshipStackPolicy, resources: Res[], knobs: Record<string, unknown> = {}): Violation[] {
    const config = { [policy.name]: { enforcementLevel: "mandatory", ...knobs } } as any;
    const isStack = "validateStack" in policy;
    return runPolicies(resources, config, isStack ? { resource: [], stack: [policy as GoshipStackPolicy] } : { resource: [policy as GoshipResourcePolicy], stack: [] });
}

export function assertNoViolations(policy: GoshipResourcePolicy | GoshipStackPolicy, resources: Res[], knobs?: Record<string, unknown>): void {
    const v = run(policy, resources, knobs);
    assert.deepStrictEqual(v.map((x) => x.message), [], `${policy.name} should pass`);
}

export function assertHasViolation(policy: GoshipResourcePolicy | GoshipStackPolicy, resources: Res[], message: RegExp, knobs?: Record<string, unknown>): void {
    const v = run(policy, resources, knobs);
    assert.ok(v.some((x) => message.test(x.message)), `${policy.name}: expected a violation matching ${message}, got:\n  ${v.map((x) => x.message).join("\n  ") || "(none)"}`);
}
