import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { SpreadConfig } from "./config/placement";
import { appPodSpec, ContainerTimings, PullPolicy } from "./pod-spec";
import { topologySpread } from "./spread";

/** Labels every goship object carries; `track` is added for per-track objects. */
export function appLabels(appName: string): Record<string, string> {
    return { "app.kubernetes.io/name": appName, "app.kubernetes.io/part-of": "goship", "app.kubernetes.io/managed-by": "pulumi" };
}

/** The selector of one track's pods: distinct per track by construction. */
export function trackSelector(appName: string, track: string): Record<string, string> {
    return { "app.kubernetes.io/name": appName, "goship.dev/track": track };
}

export interface GoWorkloadArgs {
    /** App name (label `app.kubernetes.io/name`, object name prefix). */
    appName: string;
    /** Track name, e.g. "blue" or "green": names `<appName>-<track>` and selects `goship.dev/track`. */
    track: string;
    /**
     * What this track does in the release (stable, candidate, warm, idle). A label on the
     * Deployment only, never on the pod template: a role change must not restart pods.
     */
    role?: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    image: pulumi.Input<string>;
    /** The version this track runs (label `app.kubernetes.io/version`). */
    version: pulumi.Input<string>;
    /** Replica count; leave undefined when an HPA scales this Deployment. */
    replicas?: pulumi.Input<number>;
    port: number;
    resources: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
    timings: ContainerTimings;
    terminationGracePeriodSeconds: number;
    configMapName?: pulumi.Input<string>;
    secretName?: pulumi.Input<string>;
    /** Put on the pod template so a config change rolls the pods. */
    checksums?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Rolling-update knobs. @default maxSurge "25%", maxUnavailable 1 (0 when the track has exactly one replica, so it never drops to none) */
    maxSurge?: pulumi.Input<string | number>;
    /**
     * How long `pulumi up` waits for the Deployment's new pods to be Ready before it fails
     * (what runs after it, e.g. a canary weight, then does not move). @default 600
     */
    rolloutTimeoutSeconds?: number;
    maxUnavailable?: pulumi.Input<string | number>;
    /** How this track's pods spread over nodes and zones. @default none */
    spread?: SpreadConfig;
    /** @default "IfNotPresent"; goship passes imagePullPolicy(push): Always for pushed images. */
    imagePullPolicy?: PullPolicy;
    /** Extra annotations on the Deployment only (e.g. where its replica count comes from). */
    deploymentAnnotations?: pulumi.Input<Record<string, string>>;
}

/**
 * goship is the source of truth for its tracks and routes. A hand edit (`kubectl scale`,
 * `kubectl annotate`) takes server-side-apply ownership of the field, and every later apply
 * would then fail with a field conflict; with this annotation the provider takes it back, so
 * `pulumi preview --refresh` shows the drift and `pulumi up --refresh` restores it.
 */
export const OWNED_BY_PULUMI = { "pulumi.com/patchForce": "true" } as const;

const timeouts = (seconds: number) => ({ create: `${seconds}s`, update: `${seconds}s` });

/**
 * GoWorkload is a component that runs one track of the Go service: a Deployment with
 * probes, limits, a restricted security context and graceful shutdown, a Service that
 * selects only this track, and a PodDisruptionBudget.
 */
export class GoWorkload extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    public readonly pdb: k8s.policy.v1.PodDisruptionBudget;
    public readonly deploymentName: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly selector: Record<string, string>;

    constructor(name: string, args: GoWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:GoWorkload", name, {}, opts);
        const objectName = `${args.appName}-${args.track}`;
        this.selector = trackSelector(args.appName, args.track);
        // Children inherit the component's dependsOn: the release orders a whole track
        // (e.g. "scale down after traffic moved"), and that must reach the Deployment.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        const trackLabels = { ...appLabels(args.appName), "goship.dev/track": args.track };
        // The role label is on the Deployment only: a Service update waits at least 10 s for
        // its endpoints to settle (the Kubernetes provider's await), and roles change at every
        // release step, so the Service and PDB keep labels that never change.
        const metaLabels = pulumi.output(args.role ?? "").apply((role) => ({
            ...trackLabels,
            ...(role ? { "goship.dev/role": role } : {}),
        }));
        const podSpec = appPodSpec({
            containerName: "app",
            image: args.image,
            port: args.port,
            resources: args.resources,
            timings: args.timings,
            terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
            configMapName: args.configMapName,
            secretName: args.secretName,
            imagePullPolicy: args.imagePullPolicy,
            topologySpreadConstraints: args.spread ? topologySpread(this.selector, args.spread) : undefined,
        });
        const replicas = args.replicas === undefined ? undefined : pulumi.output(args.replicas);
        const maxUnavailable = args.maxUnavailable ??
            (replicas ? replicas.apply((r) => (r === 1 ? 0 : 1)) : 1);

        this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: {
                name: objectName, namespace: args.namespace, labels: metaLabels,
                annotations: pulumi.output(args.deploymentAnnotations ?? {}).apply((a) => ({ ...a, ...OWNED_BY_PULUMI })),
            },
            spec: {
                // Omitted when autoscaled so `pulumi up` never fights the HPA.
                replicas,
                revisionHistoryLimit: 5,
                selector: { matchLabels: this.selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: args.maxSurge ?? "25%", maxUnavailable } },
                template: {
                    metadata: {
                        labels: pulumi.output(args.version).apply((v) => ({
                            ...appLabels(args.appName), ...this.selector, "app.kubernetes.io/version": v,
                        })),
                        annotations: pulumi.output(args.checksums ?? {}).apply((c) => ({
                            ...c,
                            "prometheus.io/scrape": "true",
                            "prometheus.io/port": String(args.port),
                        })),
                    },
                    spec: podSpec,
                },
            },
        }, { ...child, customTimeouts: timeouts(args.rolloutTimeoutSeconds ?? 600) });

        this.service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: { name: objectName, namespace: args.namespace, labels: trackLabels },
            spec: {
                type: "ClusterIP",
                selector: this.selector,
                ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
            },
        }, child);

        this.pdb = new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: objectName, namespace: args.namespace, labels: trackLabels },
            // maxUnavailable (not minAvailable) always leaves one voluntary disruption, so
            // node drains never block, whatever the HPA has scaled to.
            spec: { maxUnavailable: 1, selector: { matchLabels: this.selector } },
        }, child);

        this.deploymentName = this.deployment.metadata.name;
        this.serviceName = this.service.metadata.name;
        this.registerOutputs({ // Outputs only, no child resources: see Release (update plans)
            deploymentName: this.deploymentName, serviceName: this.serviceName, selector: this.selector,
        });
    }
}
