// Checks of references between objects, which only a whole-stack view can make: HPA →
// Deployment, Service → pods and ports, Ingress → Service, pod → ConfigMap/Secret, PDB
// arithmetic at the HPA minimum, and the guardrails a namespace needs around its pods.
// The canary checks that span objects live with the other release checks (release.ts).
import { stackPolicy } from "./lib/define";
import { containersOf, intOrPercent, nameOf, namespaceOf, of, ofIn, podSpecOf, Res, selects, specFieldSetByProgram, TYPES } from "./lib/k8s";
const key = (r: Res) => `${namespaceOf(r) ?? ""}/${nameOf(r)}`;
const podLabels = (d: Res) => d.props?.spec?.template?.metadata?.labels ?? {};

function deploymentNamed(rs: Res[], ns: string | undefined, name: string): Res | undefined {
    return ofIn(rs, TYPES.Deployment, ns).find((d) => nameOf(d) === name);
}

/** The Deployments whose pods a Service (or PDB) selector picks. */
export function selected(rs: Res[], ns: string | undefined, selector: Record<string, string> | undefined): Res[] {
    return ofIn(rs, TYPES.Deployment, ns).filter((d) => selects(selector, podLabels(d)));
}

export function portOnService(svc: Res, port: any): any | undefined {
    return (svc.props?.spec?.ports ?? []).find((p: any) => (port?.name !== undefined ? p.name === port.name : p.port === port?.number));
}

export function containerPort(d: Res, target: any): any | undefined {
    for (const c of podSpecOf(d.props)?.containers ?? []) {
        const p = (c.ports ?? []).find((x: any) => x.name === target || x.containerPort === target || String(x.containerPort) === String(target));
        if (p) return { container: c, port: p };
    }
    return undefined;
}

export const hpaTarget = stackPolicy({
    name: "hpa-target",
    description: "Checks that each HPA's target Deployment exists in the stack, is scaled by one HPA only, requests every resource the HPA measures, and does not pin replicas (unless annotated goship.dev/replicas-source: live, the count read from the cluster).",
    severity: "high",
    remediationSteps: "Point scaleTargetRef at a Deployment of this stack, omit its replicas, and set the requests the HPA metrics use.",
    check: (rs, _k, report) => {
        const seen = new Map<string, string>();
        for (const h of of(rs, TYPES.HPA)) {
            const ref = h.props?.spec?.scaleTargetRef ?? {};
            const ns = namespaceOf(h);
            const d = ref.kind === "Deployment" ? deploymentNamed(rs, ns, ref.name) : undefined;
            const hn = `HPA ${nameOf(h)}`;
            if (!d) {
                report(`${hn} targets ${ref.kind} ${ref.name}, which is not in the stack`, h.urn);
                continue;
            }
            const k = key(d);
            if (seen.has(k)) report(`${hn} and HPA ${seen.get(k)} both scale Deployment ${ref.name}: keep one`, h.urn);
            seen.set(k, nameOf(h));
            // The release pins a track at the count it read live from the cluster (the HPA's
            // own number, see components/release/live.ts) and says so with this annotation.
            const live = d.props?.metadata?.annotations?.["goship.dev/replicas-source"] === "live";
            if (specFieldSetByProgram(d.props, "replicas") && !live) report(`Deployment ${ref.name} pins replicas ${d.props.spec.replicas} although ${hn} scales it: omit replicas`, d.urn);
            const measured = (h.props?.spec?.metrics ?? []).filter((m: any) => m.type === "Resource").map((m: any) => m.resource?.name);
            for (const c of podSpecOf(d.props)?.containers ?? []) {
                for (const r of measured) if (!c.resources?.requests?.[r]) report(`${hn} scales on ${r} but Deployment ${ref.name} container ${c.name} has no ${r} request`, d.urn);
            }
        }
    },
});

export const serviceSelectsPods = stackPolicy({
    name: "service-selects-pods",
    description: "Checks that every Service selects the pods of some Deployment and that its targetPort exists on them.",
    severity: "high",
    remediationSteps: "Match the Service selector to the pod template labels and targetPort to a containerPort (name or number).",
    check: (rs, _k, report) => {
        for (const s of of(rs, TYPES.Service)) {
            const sel = s.props?.spec?.selector;
            if (!sel) continue; // selector-less Services (external endpoints) are out of scope
            const ds = selected(rs, namespaceOf(s), sel);
            if (ds.length === 0) {
                report(`Service ${nameOf(s)} selector ${JSON.stringify(sel)} matches no Deployment's pods`, s.urn);
                continue;
            }
            for (const p of s.props?.spec?.ports ?? []) {
                const target = p.targetPort ?? p.port;
                for (const d of ds) if (!containerPort(d, target)) report(`Service ${nameOf(s)} port ${p.name ?? p.port} targets ${target}, which Deployment ${nameOf(d)} does not expose`, s.urn);
            }
        }
    },
});

export const ingressBackends = stackPolicy({
    name: "ingress-backends",
    description: "Checks the Ingress → Service → container → readiness probe chain: backends exist with their ports, and the port traffic reaches is the one the readiness probe checks.",
    severity: "high",
    remediationSteps: "Point the backend at a Service of the stack and a port it declares, whose targetPort is the container port the readiness probe checks.",
    check: (rs, _k, report) => {
        for (const i of of(rs, TYPES.Ingress)) {
            for (const rule of i.props?.spec?.rules ?? []) {
                for (const path of rule.http?.paths ?? []) {
                    const b = path.backend?.service;
                    if (!b) continue;
                    const svc = ofIn(rs, TYPES.Service, namespaceOf(i)).find((s) => nameOf(s) === b.name);
                    const where = `Ingress ${nameOf(i)} ${rule.host}${path.path ?? ""}`;
                    if (!svc) {
                        report(`${where} routes to Service ${b.name}, which is not in the stack`, i.urn);
                        continue;
                    }
                    const sp = portOnService(svc, b.port);
                    if (!sp) {
                        report(`${where} routes to port ${b.port?.name ?? b.port?.number} of Service ${b.name}, which does not declare it`, i.urn);
                        continue;
                    }
                    for (const d of selected(rs, namespaceOf(svc), svc.props?.spec?.selector)) {
                        const cp = containerPort(d, sp.targetPort ?? sp.port);
                        if (!cp) continue; // reported by service-selects-pods
                        const probe = cp.container.readinessProbe?.httpGet?.port ?? cp.container.readinessProbe?.tcpSocket?.port;
                        if (probe !== undefined && probe !== cp.port.name && String(probe) !== String(cp.port.containerPort)) {
                            report(`${where}: traffic reaches port ${cp.port.name ?? cp.port.containerPort} of Deployment ${nameOf(d)}, but its readiness probe checks ${probe}`, d.urn);
                        }
                    }
                }
            }
        }
    },
});

export const pdbDisruptionAtMin = stackPolicy({
    name: "pdb-disruption-at-min",
    description: "Checks PDB arithmetic (percentages round up) at the workload's minimum size: at least one pod can always be evicted.",
    severity: "medium",
    remediationSteps: "Use maxUnavailable: 1, or a minAvailable below the HPA minimum.",
    check: (rs, _k, report) => {
        for (const pdb of of(rs, TYPES.PDB)) {
            for (const d of selected(rs, namespaceOf(pdb), pdb.props?.spec?.selector?.matchLabels)) {
                const hpa = ofIn(rs, TYPES.HPA, namespaceOf(d)).find((h) => h.props?.spec?.scaleTargetRef?.name === nameOf(d));
                const n = hpa ? (hpa.props.spec.minReplicas ?? 1) : d.props?.spec?.replicas ?? 1;
                if (n === 0) continue; // a scaled-to-zero track has nothing to protect
                const s = pdb.props.spec;
                const allowed = s.maxUnavailable !== undefined
                    ? intOrPercent(s.maxUnavailable, n) ?? 0
                    : n - (intOrPercent(s.minAvailable ?? 1, n) ?? n);
                if (allowed < 1) report(`PodDisruptionBudget ${nameOf(pdb)} allows ${allowed} disruptions at ${n} replica(s) of Deployment ${nameOf(d)}: node drains would block`, pdb.urn);
            }
        }
    },
});

export const configReferences = stackPolicy({
    name: "config-references",
    description: "Checks that every ConfigMap and Secret a pod references (envFrom, env valueFrom, volumes) exists in the stack.",
    severity: "high",
    remediationSteps: "Create the ConfigMap/Secret in the stack (AppConfig does), or mark the reference optional.",
    check: (rs, _k, report) => {
        const exists = (type: string, ns: string | undefined, name: string) => ofIn(rs, type, ns).some((r) => nameOf(r) === name);
        for (const d of of(rs, TYPES.Deployment)) {
            const pod = podSpecOf(d.props);
            const refs: Array<[string, string, boolean]> = [];
            for (const c of containersOf(pod)) {
                for (const e of c.envFrom ?? []) {
                    if (e.configMapRef) refs.push([TYPES.ConfigMap, e.configMapRef.name, !!e.configMapRef.optional]);
                    if (e.secretRef) refs.push([TYPES.Secret, e.secretRef.name, !!e.secretRef.optional]);
                }
                for (const e of c.env ?? []) {
                    const cm = e.valueFrom?.configMapKeyRef;
                    const sk = e.valueFrom?.secretKeyRef;
                    if (cm) refs.push([TYPES.ConfigMap, cm.name, !!cm.optional]);
                    if (sk) refs.push([TYPES.Secret, sk.name, !!sk.optional]);
                }
            }
            for (const v of pod?.volumes ?? []) {
                if (v.configMap) refs.push([TYPES.ConfigMap, v.configMap.name, !!v.configMap.optional]);
                if (v.secret) refs.push([TYPES.Secret, v.secret.secretName, !!v.secret.optional]);
            }
            for (const [type, name, optional] of refs) {
                if (!optional && !exists(type, namespaceOf(d), name)) {
                    report(`Deployment ${nameOf(d)} references ${type.split(":").pop()} ${name}, which is not in the stack: pods would not start`, d.urn);
                }
            }
        }
    },
});

export const namespaceGuardrails = stackPolicy({
    name: "namespace-guardrails",
    description: "Checks that every namespace running workloads declares a ResourceQuota, a LimitRange and a NetworkPolicy that selects the workload's pods.",
    severity: "medium",
    remediationSteps: "Use AppNamespace, which creates the quota, limit range and default-deny plus allow-from-controller NetworkPolicies.",
    check: (rs, _k, report) => {
        const inNs = (type: string, ns?: string) => ofIn(rs, type, ns);
        for (const d of of(rs, TYPES.Deployment)) {
            const ns = namespaceOf(d);
            if (inNs(TYPES.ResourceQuota, ns).length === 0) report(`namespace ${ns} of Deployment ${nameOf(d)} has no ResourceQuota`, d.urn);
            if (inNs(TYPES.LimitRange, ns).length === 0) report(`namespace ${ns} of Deployment ${nameOf(d)} has no LimitRange`, d.urn);
            const covered = inNs(TYPES.NetworkPolicy, ns).some((np) => {
                const sel = np.props?.spec?.podSelector;
                return sel && (Object.keys(sel.matchLabels ?? {}).length === 0 && !sel.matchExpressions ? true : selects(sel.matchLabels, podLabels(d)));
            });
            if (!covered) report(`no NetworkPolicy selects the pods of Deployment ${nameOf(d)} in namespace ${ns}`, d.urn);
        }
    },
});

export const crossObjectPolicies = [hpaTarget, serviceSelectsPods, ingressBackends, pdbDisruptionAtMin, configReferences, namespaceGuardrails];
