// What an experienced reviewer asks of a production workload beyond probes and limits:
// replicas spread across nodes, bounded ephemeral storage, an explicit image pull
// policy, and egress that is denied by default (with DNS still allowed).
import * as k8s from "@pulumi/kubernetes";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { containersOf, labelSelectorMatches, nameOf, namespaceOf, podSpecOf, Res, TYPES } from "./lib/k8s";

const HOSTNAME = "kubernetes.io/hostname";
const deploymentName = (props: any, res: { name: string }) => `Deployment ${props.metadata?.name ?? res.name}`;

/** How a pod spec spreads its own pods over nodes: "hard", "soft", or undefined (not at all). */
export function nodeSpread(pod: any, podLabels: Record<string, string>): "hard" | "soft" | undefined {
    const own = (sel: any) => labelSelectorMatches(sel, podLabels);
    let found: "hard" | "soft" | undefined;
    for (const c of pod?.topologySpreadConstraints ?? []) {
        if (c.topologyKey !== HOSTNAME || !own(c.labelSelector)) continue;
        if (c.whenUnsatisfiable === "DoNotSchedule") return "hard";
        found = "soft";
    }
    const anti = pod?.affinity?.podAntiAffinity;
    for (const t of anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
        if (t.topologyKey === HOSTNAME && own(t.labelSelector)) return "hard";
    }
    for (const w of anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
        if (w.podAffinityTerm?.topologyKey === HOSTNAME && own(w.podAffinityTerm?.labelSelector)) found = "soft";
    }
    return found;
}

export const workloadSpread = resourcePolicy({
    name: "workload-spread",
    description: "Checks that a Deployment with several replicas (or under an HPA) spreads its own pods across nodes, so one node failure cannot take them all down.",
    severity: "high",
    remediationSteps: "Add a topologySpreadConstraint on kubernetes.io/hostname whose labelSelector matches the pod labels (goship:spread), or a pod anti-affinity on the hostname.",
    kinds: [k8s.apps.v1.Deployment],
    knobs: {
        minReplicas: { type: "integer", default: 2, description: "Replica count from which spreading is required (an HPA-managed Deployment always qualifies)." },
        requireDoNotSchedule: { type: "boolean", default: false, description: "Require a hard spread (DoNotSchedule or required anti-affinity), not a preference the scheduler may ignore." },
    },
    check: (props, knobs, report, res) => {
        const pod = podSpecOf(props);
        const replicas = props.spec?.replicas;
        if (!pod || (replicas !== undefined && replicas < knobs.minReplicas)) return;
        const spread = nodeSpread(pod, props.spec?.template?.metadata?.labels ?? {});
        const name = deploymentName(props, res);
        const size = replicas === undefined ? "is autoscaled" : `runs ${replicas} replicas`;
        if (!spread) report(`${name} ${size} but does not spread its pods across nodes: add a topologySpreadConstraint on ${HOSTNAME} selecting its own pods`);
        else if (spread === "soft" && knobs.requireDoNotSchedule) report(`${name} only prefers to spread across nodes (ScheduleAnyway): use whenUnsatisfiable DoNotSchedule so the scheduler never stacks its pods on one node`);
    },
});

export const containerEphemeralStorage = resourcePolicy({
    name: "container-ephemeral-storage",
    description: "Checks that every container requests and limits ephemeral-storage and every emptyDir has a sizeLimit, so logs and scratch files cannot fill a node's disk unnoticed by the scheduler.",
    severity: "medium",
    remediationSteps: "Set resources.requests and resources.limits \"ephemeral-storage\" (goship:resources.*.ephemeralStorage) and emptyDir.sizeLimit.",
    kinds: [k8s.apps.v1.Deployment],
    knobs: { requireLimit: { type: "boolean", default: true, description: "Also require limits.ephemeral-storage (not only the request)." } },
    check: (props, knobs, report, res) => {
        const pod = podSpecOf(props);
        if (!pod) return;
        const name = deploymentName(props, res);
        for (const c of containersOf(pod)) {
            const r = c.resources ?? {};
            if (!r.requests?.["ephemeral-storage"]) report(`${name} container ${c.name} has no ephemeral-storage request: set resources.requests["ephemeral-storage"] so the scheduler counts its disk use`);
            if (knobs.requireLimit && !r.limits?.["ephemeral-storage"]) report(`${name} container ${c.name} has no ephemeral-storage limit: set resources.limits["ephemeral-storage"] so logs cannot fill the node`);
        }
        for (const v of pod.volumes ?? []) {
            if (v.emptyDir && !v.emptyDir.sizeLimit) report(`${name} emptyDir volume ${v.name} has no sizeLimit: set one`);
        }
    },
});

const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];

export const imagePullPolicy = resourcePolicy({
    name: "image-pull-policy",
    description: "Checks that every container states its imagePullPolicy (the default silently depends on the tag) and, when configured, uses the required one.",
    severity: "medium",
    remediationSteps: "Set imagePullPolicy explicitly; goship derives it from goship:image.push (Always for images pushed and deployed by digest, IfNotPresent for images kind/minikube load).",
    kinds: [k8s.apps.v1.Deployment],
    knobs: { required: { type: "string", enum: ["", ...PULL_POLICIES], default: "", description: "The policy every container must use (\"\": any, as long as it is explicit)." } },
    check: (props, knobs, report, res) => {
        const pod = podSpecOf(props);
        if (!pod) return;
        for (const c of containersOf(pod)) {
            const where = `${deploymentName(props, res)} container ${c.name}`;
            if (!c.imagePullPolicy) report(`${where} does not set imagePullPolicy: set it (the default is Always for :latest or no tag, IfNotPresent otherwise)`);
            else if (knobs.required && c.imagePullPolicy !== knobs.required) report(`${where} uses imagePullPolicy ${c.imagePullPolicy}: use ${knobs.required} (a digest-pinned image costs nothing to check, and no node runs a stale local copy)`);
        }
    },
});

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/** Why an egress rule is open to everything, or undefined. */
function openEgress(rule: any): string | undefined {
    const to: any[] = rule?.to ?? [];
    const ports: any[] = rule?.ports ?? [];
    if (ports.length > 0) return undefined;
    if (to.length === 0) return "allows every destination on every port";
    const world = to.find((p) => WORLD.has(p.ipBlock?.cidr) && !(p.ipBlock?.except ?? []).length);
    return world ? `allows ${world.ipBlock.cidr} on every port` : undefined;
}

/** Whether an egress rule lets DNS through (port 53, or every port). */
function allowsDns(rule: any): boolean {
    const ports: any[] = rule?.ports ?? [];
    return ports.length === 0 || ports.some((p) => p.port === 53 || p.port === "dns" || p.port === "dns-tcp"
        || (typeof p.port === "number" && p.endPort !== undefined && p.port <= 53 && p.endPort >= 53));
}

export const egressControlled = stackPolicy({
    name: "egress-controlled",
    description: "Checks that the pods of every Deployment fall under a NetworkPolicy that restricts egress, that none of those policies reopens all egress, and that DNS stays allowed.",
    severity: "high",
    remediationSteps: "Add a default-deny egress NetworkPolicy (podSelector {}, policyTypes [Egress]) and allows per destination, DNS included (goship:egress does both).",
    knobs: {
        allowOpenEgress: { type: "boolean", default: false, description: "Accept an egress rule open to every destination and port." },
        requireDnsAllow: { type: "boolean", default: true, description: "Require an egress allow on port 53 once egress is restricted (pods cannot resolve names otherwise)." },
    },
    check: (rs, knobs, report) => {
        const byNs = new Map<string | undefined, Res[]>();
        for (const np of rs.filter((r) => r.type === TYPES.NetworkPolicy)) {
            const ns = namespaceOf(np);
            byNs.set(ns, [...(byNs.get(ns) ?? []), np]);
        }
        for (const d of rs.filter((r) => r.type === TYPES.Deployment)) {
            const labels = d.props?.spec?.template?.metadata?.labels ?? {};
            const ns = namespaceOf(d);
            const mine = (byNs.get(ns) ?? []).filter((np) => {
                const types: string[] = np.props?.spec?.policyTypes ?? (np.props?.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);
                return types.includes("Egress") && labelSelectorMatches(np.props?.spec?.podSelector, labels);
            });
            const name = `Deployment ${nameOf(d)}`;
            if (mine.length === 0) {
                report(`${name}: no NetworkPolicy restricts the egress of its pods in namespace ${ns}: add a default-deny egress policy and allow only what the app talks to`, d.urn);
                continue;
            }
            const rules = mine.flatMap((np) => (np.props?.spec?.egress ?? []).map((rule: any) => ({ np, rule })));
            if (!knobs.allowOpenEgress) {
                for (const { np, rule } of rules) {
                    const why = openEgress(rule);
                    if (why) report(`NetworkPolicy ${nameOf(np)} ${why} for the pods of ${name}: name the destinations and ports`, np.urn);
                }
            }
            if (knobs.requireDnsAllow && !rules.some(({ rule }) => allowsDns(rule))) {
                report(`${name}: egress is restricted but no NetworkPolicy allows DNS (port 53): the pods cannot resolve names; allow kube-dns`, d.urn);
            }
        }
    },
});

export const productionPolicies = [workloadSpread, containerEphemeralStorage, imagePullPolicy];
export const productionStackPolicies = [egressControlled];
