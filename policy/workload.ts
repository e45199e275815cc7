// Container, pod and Deployment checks (Polaris, kube-score, Kyverno best practices and
// the Pod Security Standards' restricted profile, on the kinds goship creates).
import * as k8s from "@pulumi/kubernetes";
import { resourcePolicy, ResourceCheck } from "./lib/define";
import {
    containerHasPort, containersOf, intOrPercent, parseImage, podSpecOf, preStopSleepSeconds, probePort, secretLookingName,
    secretLookingValue, selects,
} from "./lib/k8s";

const workloads = [k8s.apps.v1.Deployment];

/** Runs `fn` for every container of a workload's pod spec. */
function eachContainer(fn: (c: any, pod: any, props: any, knobs: any, report: (m: string) => void, where: string) => void): ResourceCheck {
    return (props, knobs, report, res) => {
        const pod = podSpecOf(props);
        if (!pod) return;
        for (const c of containersOf(pod)) fn(c, pod, props, knobs, report, `Deployment ${props.metadata?.name ?? res.name} container ${c.name}`);
    };
}

export const checkProbes = eachContainer((c, _pod, _p, knobs, report, where) => {
    if (!c.readinessProbe) report(`${where} has no readinessProbe: add one so traffic only reaches ready pods`);
    if (!c.livenessProbe) report(`${where} has no livenessProbe: add one so a hung process is restarted`);
    if (c.readinessProbe && c.livenessProbe && JSON.stringify(c.readinessProbe.httpGet ?? c.readinessProbe.exec ?? c.readinessProbe.tcpSocket)
        === JSON.stringify(c.livenessProbe.httpGet ?? c.livenessProbe.exec ?? c.livenessProbe.tcpSocket)) {
        report(`${where} uses the same check for liveness and readiness: a draining pod would be killed; use /healthz and /readyz`);
    }
    const delay = c.livenessProbe?.initialDelaySeconds ?? 0;
    if (c.livenessProbe && delay > knobs.maxLivenessDelayWithoutStartupProbe && !c.startupProbe) {
        report(`${where} delays its livenessProbe ${delay}s without a startupProbe: add a startupProbe instead of a long delay`);
    }
});

export const containerProbes = resourcePolicy({
    name: "container-probes",
    description: "Checks that every container has readiness and liveness probes that differ, and a startup probe when liveness starts late.",
    severity: "high",
    remediationSteps: "Add readinessProbe (/readyz) and livenessProbe (/healthz) on the named port; use a startupProbe for slow starts.",
    kinds: workloads,
    knobs: { maxLivenessDelayWithoutStartupProbe: { type: "integer", default: 30, description: "Longest liveness initialDelaySeconds allowed without a startupProbe." } },
    check: checkProbes,
});

export const probePortsExist = resourcePolicy({
    name: "probe-ports-exist",
    description: "Checks that every probe targets a port the container declares.",
    severity: "high",
    remediationSteps: "Point the probe at a declared containerPort (by name or number).",
    kinds: workloads,
    check: eachContainer((c, _pod, _p, _k, report, where) => {
        for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"]) {
            const port = probePort(c[kind]);
            if (c[kind] && !containerHasPort(c, port)) report(`${where} ${kind} targets port ${port}, which the container does not declare`);
        }
    }),
});

export const containerResources = resourcePolicy({
    name: "container-resources",
    description: "Checks that every container requests CPU and memory and limits memory (and CPU when configured).",
    severity: "high",
    remediationSteps: "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory (goship:resources).",
    kinds: workloads,
    knobs: { requireCpuLimit: { type: "boolean", default: false, description: "Also require resources.limits.cpu." } },
    check: eachContainer((c, _pod, _p, knobs, report, where) => {
        const r = c.resources ?? {};
        if (!r.requests?.cpu) report(`${where} has no CPU request: set resources.requests.cpu`);
        if (!r.requests?.memory) report(`${where} has no memory request: set resources.requests.memory`);
        if (!r.limits?.memory) report(`${where} has no memory limit: set resources.limits.memory`);
        if (knobs.requireCpuLimit && !r.limits?.cpu) report(`${where} has no CPU limit: set resources.limits.cpu`);
    }),
});

export const imageReference = resourcePolicy({
    name: "image-reference",
    description: "Checks that every image has an explicit tag other than latest (and a digest when configured).",
    severity: "high",
    remediationSteps: "Deploy a versioned tag (goship:version); in prod deploy by digest (goship:image.push true).",
    kinds: workloads,
    knobs: { requireDigest: { type: "boolean", default: false, description: "Require images pinned by @sha256 digest." } },
    check: eachContainer((c, _pod, _p, knobs, report, where) => {
        const img = parseImage(String(c.image ?? ""));
        if (!img.tag && !img.digest) report(`${where} image ${c.image} has no tag: pin a version`);
        if (img.tag === "latest" && !img.digest) report(`${where} image ${c.image} uses the latest tag: pin a version`);
        if (knobs.requireDigest && !img.digest) report(`${where} image ${c.image} is not pinned by digest: deploy repo@sha256:…`);
    }),
});

export const containerSecurityContext = resourcePolicy({
    name: "container-security-context",
    description: "Checks the restricted Pod Security profile: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root filesystem.",
    severity: "high",
    remediationSteps: "Set runAsNonRoot and a non-zero runAsUser, allowPrivilegeEscalation false, capabilities.drop [ALL], seccompProfile RuntimeDefault, readOnlyRootFilesystem true.",
    kinds: workloads,
    check: eachContainer((c, pod, _p, _k, report, where) => {
        const s = c.securityContext ?? {};
        const ps = pod.securityContext ?? {};
        const nonRoot = s.runAsNonRoot ?? ps.runAsNonRoot;
        const user = s.runAsUser ?? ps.runAsUser;
        if (user === 0) report(`${where} runs as user 0: run as a non-zero user`);
        if (nonRoot !== true && !(user > 0)) report(`${where} may run as root: set runAsNonRoot true and a non-zero runAsUser`);
        if (s.allowPrivilegeEscalation !== false) report(`${where} allows privilege escalation: set allowPrivilegeEscalation false`);
        if (!(s.capabilities?.drop ?? []).map((x: string) => x.toUpperCase()).includes("ALL")) report(`${where} keeps Linux capabilities: drop ALL`);
        const seccomp = s.seccompProfile?.type ?? ps.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") report(`${where} has no seccomp profile: set seccompProfile RuntimeDefault`);
        if (s.readOnlyRootFilesystem !== true) report(`${where} has a writable root filesystem: set readOnlyRootFilesystem true (mount an emptyDir for scratch space)`);
    }),
});

export const noHostAccess = resourcePolicy({
    name: "no-host-access",
    description: "Checks that pods use no privileged containers, host namespaces, hostPath volumes or host ports.",
    severity: "critical",
    remediationSteps: "Remove privileged, hostNetwork/hostPID/hostIPC, hostPath volumes and hostPort.",
    kinds: workloads,
    check: (props, _k, report, res) => {
        const pod = podSpecOf(props);
        if (!pod) return;
        const name = `Deployment ${props.metadata?.name ?? res.name}`;
        for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[ns]) report(`${name} sets ${ns}: remove it`);
        for (const v of pod.volumes ?? []) if (v.hostPath) report(`${name} mounts hostPath ${v.hostPath.path} (volume ${v.name}): use an emptyDir or a PVC`);
        for (const c of containersOf(pod)) {
            if (c.securityContext?.privileged) report(`${name} container ${c.name} is privileged: remove privileged`);
            for (const p of c.ports ?? []) if (p.hostPort) report(`${name} container ${c.name} binds hostPort ${p.hostPort}: use a Service`);
        }
    },
});

export const noSecretLiteralEnv = resourcePolicy({
    name: "no-secret-literal-env",
    description: "Checks that no container passes a secret-looking value as a literal environment variable.",
    severity: "critical",
    remediationSteps: "Put the value in a Secret (goship:apiToken with --secret) and reference it with secretKeyRef or envFrom.",
    kinds: workloads,
    check: eachContainer((c, _pod, _p, _k, report, where) => {
        for (const e of c.env ?? []) {
            if (typeof e.value !== "string" || e.value === "") continue;
            if (secretLookingName(e.name) || secretLookingValue(e.value)) report(`${where} sets ${e.name} to a literal value that looks secret: use a Secret reference`);
        }
    }),
});

export const noServiceAccountToken = resourcePolicy({
    name: "no-service-account-token",
    description: "Checks that pods do not mount a Kubernetes API token they do not need.",
    severity: "medium",
    remediationSteps: "Set automountServiceAccountToken: false on the pod spec.",
    kinds: workloads,
    check: (props, _k, report, res) => {
        const pod = podSpecOf(props);
        if (pod && pod.automountServiceAccountToken !== false) report(`Deployment ${props.metadata?.name ?? res.name} mounts a service account token: set automountServiceAccountToken false`);
    },
});

export const gracefulTermination = resourcePolicy({
    name: "graceful-termination",
    description: "Checks that terminationGracePeriodSeconds covers the preStop sleep plus a margin for the app's own shutdown.",
    severity: "medium",
    remediationSteps: "Raise terminationGracePeriodSeconds (goship derives it: preStop + drain + shutdown timeout + 5 s).",
    kinds: workloads,
    knobs: { marginSeconds: { type: "integer", default: 5, description: "Seconds the app needs after the preStop sleep." } },
    check: (props, knobs, report, res) => {
        const pod = podSpecOf(props);
        if (!pod) return;
        const grace = pod.terminationGracePeriodSeconds ?? 30;
        for (const c of pod.containers ?? []) {
            const need = preStopSleepSeconds(c) + knobs.marginSeconds;
            if (grace < need) report(`Deployment ${props.metadata?.name ?? res.name} container ${c.name}: terminationGracePeriodSeconds ${grace} < preStop ${preStopSleepSeconds(c)}s + ${knobs.marginSeconds}s margin; raise it to ≥ ${need}`);
        }
    },
});

export const deploymentRollingUpdate = resourcePolicy({
    name: "deployment-rolling-update",
    description: "Checks that Deployments roll out with RollingUpdate and parameters that keep pods serving.",
    severity: "medium",
    remediationSteps: "Use strategy RollingUpdate with maxSurge 25% and maxUnavailable 1 (0 for a single replica).",
    kinds: workloads,
    check: (props, _k, report, res) => {
        const name = `Deployment ${props.metadata?.name ?? res.name}`;
        const st = props.spec?.strategy;
        if (st?.type === "Recreate") {
            report(`${name} uses the Recreate strategy, which stops every pod before starting new ones: use RollingUpdate`);
            return;
        }
        const replicas = props.spec?.replicas;
        if (replicas === 0) return; // a scaled-to-zero track has nothing to roll
        const ru = st?.rollingUpdate ?? {};
        const n = replicas ?? 2;
        const unavailable = intOrPercent(ru.maxUnavailable ?? "25%", n, false) ?? 0;
        const surge = intOrPercent(ru.maxSurge ?? "25%", n) ?? 0;
        if (surge === 0 && unavailable === 0) report(`${name} has maxSurge and maxUnavailable both 0: the rollout cannot progress`);
        if (unavailable >= n) report(`${name} may take all ${n} pods down at once (maxUnavailable ${ru.maxUnavailable}): lower maxUnavailable`);
    },
});

export const deploymentReplicas = resourcePolicy({
    name: "deployment-replicas",
    description: "Checks that a stable Deployment runs enough replicas unless an HPA manages it (replicas omitted).",
    severity: "medium",
    remediationSteps: "Set goship:replicas ≥ the minimum, or enable goship:autoscaling.",
    kinds: workloads,
    knobs: { minReplicas: { type: "integer", default: 1, description: "Minimum replicas of a stable Deployment." } },
    check: (props, knobs, report, res) => {
        const replicas = props.spec?.replicas;
        const role = props.metadata?.labels?.["goship.dev/role"];
        // Candidate and idle release tracks are sized by the release, not by this rule.
        if (replicas === undefined || role === "candidate" || role === "idle" || role === "warm") return;
        if (replicas < knobs.minReplicas) report(`Deployment ${props.metadata?.name ?? res.name} runs ${replicas} replica(s): run at least ${knobs.minReplicas} or let an HPA manage it`);
    },
});

export const deploymentSelectorMatches = resourcePolicy({
    name: "deployment-selector-matches",
    description: "Checks that a Deployment's selector matches its own pod template labels.",
    severity: "high",
    remediationSteps: "Make spec.selector.matchLabels a subset of spec.template.metadata.labels.",
    kinds: workloads,
    check: (props, _k, report, res) => {
        if (!selects(props.spec?.selector?.matchLabels, props.spec?.template?.metadata?.labels)) {
            report(`Deployment ${props.metadata?.name ?? res.name} selector ${JSON.stringify(props.spec?.selector?.matchLabels)} does not match its pod template labels`);
        }
    },
});

export const hpaReplicaRange = resourcePolicy({
    name: "hpa-replica-range",
    description: "Checks that an HPA keeps enough replicas and can actually scale (max > min).",
    severity: "medium",
    remediationSteps: "Set goship:autoscaling.minReplicas ≥ the minimum and maxReplicas > minReplicas.",
    kinds: [k8s.autoscaling.v2.HorizontalPodAutoscaler],
    knobs: { minReplicas: { type: "integer", default: 1, description: "Lowest allowed minReplicas." } },
    check: (props, knobs, report, res) => {
        const min = props.spec?.minReplicas ?? 1;
        const max = props.spec?.maxReplicas;
        const name = `HPA ${props.metadata?.name ?? res.name}`;
        if (min < knobs.minReplicas) report(`${name} minReplicas ${min} < ${knobs.minReplicas}: raise minReplicas`);
        if (!(max > min)) report(`${name} maxReplicas ${max} is not greater than minReplicas ${min}: it cannot scale`);
    },
});

export const pdbAllowsDisruption = resourcePolicy({
    name: "pdb-allows-disruption",
    description: "Checks that a PodDisruptionBudget can ever allow a voluntary disruption (node drains would hang otherwise).",
    severity: "medium",
    remediationSteps: "Use maxUnavailable: 1 (or a minAvailable below 100%).",
    kinds: [k8s.policy.v1.PodDisruptionBudget],
    check: (props, _k, report, res) => {
        const s = props.spec ?? {};
        const name = `PodDisruptionBudget ${props.metadata?.name ?? res.name}`;
        if (s.maxUnavailable === 0 || s.maxUnavailable === "0%") report(`${name} has maxUnavailable 0: no pod can ever be evicted`);
        if (s.minAvailable === "100%") report(`${name} has minAvailable 100%: no pod can ever be evicted`);
    },
});

export const configMapNoSecrets = resourcePolicy({
    name: "configmap-no-secrets",
    description: "Checks that ConfigMaps hold no secret-looking keys or values (ConfigMaps are not encrypted or access-restricted like Secrets).",
    severity: "high",
    remediationSteps: "Move the value to a Secret (goship: pulumi config set --secret).",
    kinds: [k8s.core.v1.ConfigMap],
    check: (props, _k, report, res) => {
        for (const [key, value] of Object.entries<any>(props.data ?? {})) {
            if (secretLookingName(key) || (typeof value === "string" && secretLookingValue(value))) {
                report(`ConfigMap ${props.metadata?.name ?? res.name} key ${key} looks secret: move it to a Secret`);
            }
        }
    },
});

export const workloadPolicies = [
    containerProbes, probePortsExist, containerResources, imageReference, containerSecurityContext, noHostAccess,
    noSecretLiteralEnv, noServiceAccountToken, gracefulTermination, deploymentRollingUpdate, deploymentReplicas, deploymentSelectorMatches,
    hpaReplicaRange, pdbAllowsDisruption, configMapNoSecrets,
];

/** The container checks the canary track is held to in every stack (prod knobs). */
export const CONTAINER_CHECKS = [containerProbes, probePortsExist, containerResources, imageReference, containerSecurityContext, noHostAccess, noSecretLiteralEnv];
