// The one module that uses @pulumi/kubernetesx. Its PodBuilder turns env and port maps
// into a PodSpec; everything it would guess (the container name from the image, the
// `{app: <container>}` selector, `replicas: 1`) is set explicitly by goship instead, because
// two tracks of one app must never select each other's pods.

import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";

type Input<T> = pulumi.Input<T>;

export interface ContainerTimings {
    /** Seconds the preStop hook sleeps so endpoints are removed before SIGTERM. 0 disables it. */
    preStopSleepSeconds: number;
    /** The app keeps serving this long after SIGTERM (DRAIN_DELAY). */
    drainDelaySeconds: number;
    /** The app's http.Server.Shutdown deadline (SHUTDOWN_TIMEOUT). */
    shutdownTimeoutSeconds: number;
}

/** terminationGracePeriodSeconds derived from the timings, never typed twice: each wait, plus a margin. */
export function terminationGracePeriodSeconds(t: ContainerTimings): number {
    const marginSeconds = 5;
    return t.preStopSleepSeconds + t.drainDelaySeconds + t.shutdownTimeoutSeconds + marginSeconds;
}

export interface AppPodSpecArgs {
    /** Container name; explicit, never derived from the image. */
    containerName: string;
    image: Input<string>;
    port: number;
    resources: Input<k8s.types.input.core.v1.ResourceRequirements>;
    timings: ContainerTimings;
    terminationGracePeriodSeconds: number;
    configMapName?: Input<string>;
    secretName?: Input<string>;
    /** Extra literal environment variables (non-secret). */
    env?: Record<string, Input<string>>;
    /** The numeric user the distroless image runs as. */
    runAsUser?: number;
    /** See imagePullPolicy(). @default "IfNotPresent" */
    imagePullPolicy?: PullPolicy;
    /** Spread of the pods over nodes and zones (see spread.ts). @default none */
    topologySpreadConstraints?: Input<k8s.types.input.core.v1.TopologySpreadConstraint[]>;
}

export type PullPolicy = "Always" | "IfNotPresent" | "Never";

/**
 * The pull policy that follows the stack's push setting. A pushed image is deployed by
 * digest: `Always` costs one registry check per pod start (nothing is downloaded when the
 * digest is cached) and stops a node from running a stale local image in a registry
 * mix-up. An image that is not pushed only exists where kind/minikube loaded it, so
 * `IfNotPresent` (`Always` would fail to pull it).
 */
export function imagePullPolicy(push: boolean): PullPolicy {
    return push ? "Always" : "IfNotPresent";
}

/** Builds the restricted, probed pod spec of the Go service. */
export function appPodSpec(args: AppPodSpecArgs): pulumi.Output<k8s.types.input.core.v1.PodSpec> {
    const uid = args.runAsUser ?? 65532;
    const probe = (path: string, extra: Partial<k8s.types.input.core.v1.Probe>): k8s.types.input.core.v1.Probe => ({
        httpGet: { path, port: "http" },
        timeoutSeconds: 2,
        ...extra,
    });
    const envFrom: k8s.types.input.core.v1.EnvFromSource[] = [];
    if (args.configMapName) envFrom.push({ configMapRef: { name: args.configMapName } });
    if (args.secretName) envFrom.push({ secretRef: { name: args.secretName } });
    const t = args.timings;
    const builder = new kx.PodBuilder({
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
        topologySpreadConstraints: args.topologySpreadConstraints,
        securityContext: {
            runAsNonRoot: true,
            runAsUser: uid,
            runAsGroup: uid,
            fsGroup: uid,
            seccompProfile: { type: "RuntimeDefault" },
        },
        containers: [{
            name: args.containerName,
            image: args.image,
            imagePullPolicy: args.imagePullPolicy ?? "IfNotPresent",
            ports: { http: args.port },
            env: {
                PORT: String(args.port),
                DRAIN_DELAY: `${t.drainDelaySeconds}s`,
                SHUTDOWN_TIMEOUT: `${t.shutdownTimeoutSeconds}s`,
                ...args.env,
            },
            envFrom,
            resources: args.resources,
            startupProbe: probe("/startupz", { periodSeconds: 10, failureThreshold: 30 }),
            livenessProbe: probe("/healthz", { initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 }),
            readinessProbe: probe("/readyz", { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 1 }),
            // The image has no shell, so the kubelet's own sleep action (Kubernetes ≥ 1.30).
            lifecycle: t.preStopSleepSeconds > 0 ? { preStop: { sleep: { seconds: t.preStopSleepSeconds } } } : undefined,
            securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: uid,
                capabilities: { drop: ["ALL"] },
            },
            volumeMounts: [{ volume: { name: "tmp", emptyDir: { sizeLimit: "16Mi" } }, destPath: "/tmp" }],
        }],
    });
    return builder.podSpec;
}
