// The components goship serves to other languages, with Args the component provider can turn
// into a schema: strings, numbers, booleans, arrays, string maps, plain interfaces and enums.
// The real components take richer TypeScript (unions, functions, Kubernetes input types,
// resources as arguments), so each class here is a thin wrapper: it fills goship's defaults,
// validates through goship's own config parser where that applies, and delegates to the real
// component, which becomes its only child.
import * as pulumi from "@pulumi/pulumi";
import { AppNamespace as RealAppNamespace } from "../components/namespace";
import { Autoscaler as RealAutoscaler, AutoscalerArgs } from "../components/autoscaler";
import { GoWorkload as RealGoWorkload } from "../components/workload";
import { Release as RealRelease } from "../components/release/release";
import { ConfigError } from "../components/config/validate";
import { parseConfig } from "../components/config/schema";
import { terminationGracePeriodSeconds } from "../components/pod-spec";
import { resourceRequirements } from "../components/resources";

/** Pod Security Standard a namespace enforces. */
export enum PodSecurityLevel {
    /** The hardened profile: non-root, no privilege escalation, seccomp, dropped capabilities. */
    Restricted = "restricted",
    /** Prevents known privilege escalations. */
    Baseline = "baseline",
    /** Unrestricted. */
    Privileged = "privileged",
}

/** How a new version is released. */
export enum ReleaseStrategy {
    /** Traffic moves to the new version by weight, one configured step per `pulumi up`. */
    Canary = "canary",
    /** The new version runs beside the old one behind a preview Service, then takes all traffic at once. */
    BlueGreen = "blueGreen",
}

/** When a node pulls the container image. */
export enum ImagePullPolicy {
    /** At every pod start (a pushed image deployed by digest). */
    Always = "Always",
    /** Only when the node does not have it (an image loaded into kind or minikube). */
    IfNotPresent = "IfNotPresent",
    /** Never: the image must already be on the node. */
    Never = "Never",
}

/** Compute and ephemeral storage of one kind (requests or limits), in Kubernetes quantities. */
export interface Quantities {
    /** CPU, e.g. `100m`. Omit in limits for no CPU limit. */
    cpu?: string;
    /** Memory, e.g. `64Mi`. */
    memory: string;
    /** Ephemeral storage (logs, the writable layer, /tmp), e.g. `64Mi`. */
    ephemeralStorage?: string;
}

/** A container's resource requests and limits. */
export interface ContainerResources {
    /** What the scheduler reserves for each pod. */
    requests: Quantities;
    /** The most each pod may use; memory above the limit kills the container. */
    limits: Quantities;
}

/** The namespace's ResourceQuota: totals over all pods of the namespace. */
export interface NamespaceQuota {
    /** Total CPU requests, e.g. `4`. */
    requestsCpu: string;
    /** Total memory requests, e.g. `4Gi`. */
    requestsMemory: string;
    /** Total CPU limits, e.g. `16`. */
    limitsCpu: string;
    /** Total memory limits, e.g. `8Gi`. */
    limitsMemory: string;
    /** Total ephemeral-storage requests; once set, every container must declare it (the LimitRange fills it in). */
    requestsEphemeralStorage?: string;
    /** Total ephemeral-storage limits. */
    limitsEphemeralStorage?: string;
    /** Most pods the namespace may hold (both tracks at full size during a release, plus surge). */
    pods: number;
}

/** Horizontal autoscaling of the stable track on CPU (and optionally memory) utilization. */
export interface AutoscalingSettings {
    /** Fewest replicas. */
    minReplicas?: number;
    /** Most replicas. */
    maxReplicas?: number;
    /** Target average CPU utilization, percent of requests. */
    cpuUtilization?: number;
    /** Target average memory utilization, percent of requests; none when omitted. */
    memoryUtilization?: number;
    /** Seconds of lower recommendations before scaling down. */
    scaleDownStabilizationSeconds?: number;
}

/**
 * goship's defaults for every optional input, by component and input name. The wrappers
 * apply them and the schema states them (index.ts adds them as `default` and to the
 * description), so what a generated SDK documents is what runs.
 */
export const DEFAULTS = {
    AppNamespace: {
        podSecurityLevel: PodSecurityLevel.Restricted,
        quota: {
            requestsCpu: "4", requestsMemory: "4Gi", limitsCpu: "16", limitsMemory: "8Gi",
            requestsEphemeralStorage: "4Gi", limitsEphemeralStorage: "16Gi", pods: 60,
        },
        ingressControllerNamespace: "ingress-nginx",
        appPort: 8080,
    },
    GoWorkload: {
        port: 8080,
        resources: {
            requests: { cpu: "100m", memory: "64Mi", ephemeralStorage: "64Mi" },
            limits: { cpu: "500m", memory: "128Mi", ephemeralStorage: "256Mi" },
        },
        preStopSleepSeconds: 5,
        drainDelaySeconds: 5,
        shutdownTimeoutSeconds: 10,
        rolloutTimeoutSeconds: 600,
        imagePullPolicy: ImagePullPolicy.IfNotPresent,
    },
    Autoscaler: {
        minReplicas: 2,
        maxReplicas: 10,
        cpuUtilization: 50,
        scaleDownStabilizationSeconds: 300,
    },
    Release: {
        replicas: 3,
        strategy: ReleaseStrategy.Canary,
        steps: [5, 20, 50, 100],
        step: 0,
        abort: false,
        scaleDownDelaySeconds: 600,
        rolloutTimeoutSeconds: 600,
        path: "/",
        ingressClassName: "nginx",
        port: 8080,
        imagePullPolicy: ImagePullPolicy.IfNotPresent,
    },
} as const;

export interface AppNamespaceArgs {
    /** Namespace name (a DNS label). */
    name: pulumi.Input<string>;
    /** Pod Security Standard the API server enforces on the namespace (warn and audit stay at restricted). */
    podSecurityLevel?: PodSecurityLevel;
    /** Labels added to the namespace. */
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Compute, storage and pod totals the namespace may use. */
    quota?: NamespaceQuota;
    /** Namespace of the ingress controller: the only one whose pods may reach the app port. */
    ingressControllerNamespace?: pulumi.Input<string>;
    /** The container port the ingress controller (and scrapers) may reach. */
    appPort?: pulumi.Input<number>;
    /** Further namespaces allowed to reach the app port, e.g. a Prometheus namespace. */
    allowFromNamespaces?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * The app's namespace: Pod Security labels, a ResourceQuota and a LimitRange, a default-deny
 * ingress NetworkPolicy and one policy that lets the ingress controller's namespace reach the
 * app port.
 */
export class AppNamespace extends pulumi.ComponentResource {
    /** The namespace's name, known once the Namespace exists (depend on it to order children). */
    public readonly namespaceName: pulumi.Output<string>;

    constructor(name: string, args: AppNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:AppNamespace", name, {}, opts);
        const d = DEFAULTS.AppNamespace;
        const ns = new RealAppNamespace(name, {
            name: args.name,
            podSecurityLevel: args.podSecurityLevel ?? d.podSecurityLevel,
            labels: args.labels,
            quota: args.quota ?? d.quota,
            ingressControllerNamespace: args.ingressControllerNamespace ?? d.ingressControllerNamespace,
            appPort: args.appPort ?? d.appPort,
            allowFromNamespaces: args.allowFromNamespaces,
        }, { parent: this });
        this.namespaceName = ns.name;
        this.registerOutputs({ namespaceName: this.namespaceName });
    }
}

export interface GoWorkloadArgs {
    /** App name: label `app.kubernetes.io/name` and prefix of every object name. */
    appName: string;
    /** Track name, e.g. `blue`: names the objects `<appName>-<track>` and selects label `goship.dev/track`. */
    track: string;
    /** Namespace of the Deployment, Service and PodDisruptionBudget. */
    namespace: pulumi.Input<string>;
    /** Container image, a tag or a digest. */
    image: pulumi.Input<string>;
    /** The version this track runs (label `app.kubernetes.io/version`). */
    version: pulumi.Input<string>;
    /** Replica count; omit it when an Autoscaler scales this Deployment. */
    replicas?: pulumi.Input<number>;
    /** The port the app listens on (the Service's target port). */
    port?: number;
    /** Container resource requests and limits. */
    resources?: ContainerResources;
    /** Seconds the preStop hook sleeps so endpoints are removed before SIGTERM; 0 disables it. */
    preStopSleepSeconds?: number;
    /** Seconds the app keeps serving after SIGTERM (DRAIN_DELAY). */
    drainDelaySeconds?: number;
    /** The app's graceful shutdown deadline in seconds (SHUTDOWN_TIMEOUT). */
    shutdownTimeoutSeconds?: number;
    /** How long `pulumi up` waits for the Deployment's new pods to be Ready before it fails, in seconds. */
    rolloutTimeoutSeconds?: number;
    /** When a node pulls the image. */
    imagePullPolicy?: ImagePullPolicy;
    /** ConfigMap whose keys become environment variables. */
    configMapName?: pulumi.Input<string>;
    /** Secret whose keys become environment variables. */
    secretName?: pulumi.Input<string>;
}

/**
 * One track of a Go web service: a Deployment with probes, limits, a restricted security
 * context and graceful shutdown, a Service that selects only this track, and a
 * PodDisruptionBudget.
 */
export class GoWorkload extends pulumi.ComponentResource {
    /** Name of the Deployment (`<appName>-<track>`). */
    public readonly deploymentName: pulumi.Output<string>;
    /** Name of the track's ClusterIP Service (`<appName>-<track>`). */
    public readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: GoWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:GoWorkload", name, {}, opts);
        const d = DEFAULTS.GoWorkload;
        const timings = {
            preStopSleepSeconds: args.preStopSleepSeconds ?? d.preStopSleepSeconds,
            drainDelaySeconds: args.drainDelaySeconds ?? d.drainDelaySeconds,
            shutdownTimeoutSeconds: args.shutdownTimeoutSeconds ?? d.shutdownTimeoutSeconds,
        };
        const w = new RealGoWorkload(name, {
            appName: args.appName,
            track: args.track,
            namespace: args.namespace,
            image: args.image,
            version: args.version,
            replicas: args.replicas,
            port: args.port ?? d.port,
            resources: resourceRequirements(resourcesOf(args.resources)),
            timings,
            terminationGracePeriodSeconds: terminationGracePeriodSeconds(timings),
            rolloutTimeoutSeconds: args.rolloutTimeoutSeconds ?? d.rolloutTimeoutSeconds,
            imagePullPolicy: args.imagePullPolicy ?? d.imagePullPolicy,
            configMapName: args.configMapName,
            secretName: args.secretName,
        }, { parent: this });
        this.deploymentName = w.deploymentName;
        this.serviceName = w.serviceName;
        this.registerOutputs({ deploymentName: this.deploymentName, serviceName: this.serviceName });
    }
}

/** The Autoscaler's inputs are the component's own: plain values and Inputs, nothing a schema cannot carry. */
export type { AutoscalerArgs } from "../components/autoscaler";

/** Scales a Deployment with an autoscaling/v2 HorizontalPodAutoscaler on CPU (and optionally memory) utilization. */
export class Autoscaler extends pulumi.ComponentResource {
    /** Name of the HorizontalPodAutoscaler (the component's name). */
    public readonly hpaName: pulumi.Output<string>;

    constructor(name: string, args: AutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:Autoscaler", name, {}, opts);
        const d = DEFAULTS.Autoscaler;
        const a = new RealAutoscaler(name, {
            namespace: args.namespace,
            deploymentName: args.deploymentName,
            minReplicas: args.minReplicas ?? d.minReplicas,
            maxReplicas: args.maxReplicas ?? d.maxReplicas,
            cpuUtilization: args.cpuUtilization ?? d.cpuUtilization,
            memoryUtilization: args.memoryUtilization,
            scaleDownStabilizationSeconds: args.scaleDownStabilizationSeconds ?? d.scaleDownStabilizationSeconds,
            labels: args.labels,
        }, { parent: this });
        this.hpaName = a.hpa.metadata.name;
        this.registerOutputs({ hpaName: this.hpaName });
    }
}

export interface ReleaseArgs {
    /** App name: prefixes every object name and sets `app.kubernetes.io/name`. */
    appName: string;
    /** Namespace of the tracks, Services and Ingresses. */
    namespace: pulumi.Input<string>;
    /** The version that should be live; changing it starts a release. */
    version: string;
    /** Image of `version` (a tag or digest); the other track keeps the image it was given. */
    image: pulumi.Input<string>;
    /** Image repository for a track whose image the release has not recorded. Defaults to `appName`. */
    imageRepository?: string;
    /** Replicas of the stable track (and the base of canary sizes) when not autoscaled. */
    replicas?: number;
    /** How a new version is released. */
    strategy?: ReleaseStrategy;
    /** Canary traffic percentages, ascending, ending at 100. */
    steps?: number[];
    /** The canary step to be at (index into `steps`): raise it by one per `pulumi up`; blue/green: 1 switches traffic. */
    step?: number;
    /** Send all traffic back to the stable version. */
    abort?: boolean;
    /** Seconds the old track stays warm after a promotion before it scales to zero. */
    scaleDownDelaySeconds?: number;
    /** How long one `pulumi up` waits for a track's new pods to be Ready, in seconds. */
    rolloutTimeoutSeconds?: number;
    /** Public host name of the app (the Ingress rule). */
    host: string;
    /** URL path prefix of the app. */
    path?: string;
    /** IngressClass of the ingress-nginx controller. */
    ingressClassName?: string;
    /** Secret holding the TLS certificate of `host`; plain HTTP when omitted. */
    tlsSecretName?: string;
    /** The port the app listens on. */
    port?: number;
    /** Container resource requests and limits of each track. */
    resources?: ContainerResources;
    /** When a node pulls the image. */
    imagePullPolicy?: ImagePullPolicy;
    /** Scale the stable track with an HPA; fixed `replicas` when omitted. */
    autoscaling?: AutoscalingSettings;
    /** ConfigMap whose keys become the app's environment variables. */
    configMapName?: pulumi.Input<string>;
    /** Secret whose keys become the app's environment variables. */
    secretName?: pulumi.Input<string>;
    /** Labels of the main Service and the Ingresses. */
    labels?: Record<string, string>;
}

/**
 * A progressive release of a Go web service behind ingress-nginx: two tracks (blue and
 * green) sized from the release state, the main Service, the canary Ingresses and, for
 * blue/green, a preview Service. The release state lives in Pulumi state; each `pulumi up`
 * moves it at most one step, as the inputs ask.
 */
export class Release extends pulumi.ComponentResource {
    /** One line, e.g. `canary 1.1.0 step 1/4: 5% · stable 1.0.0`. */
    public readonly status: pulumi.Output<string>;
    /** The version serving all traffic that is not the canary's. */
    public readonly stableVersion: pulumi.Output<string>;
    /** Where the release is: Stable, Progressing, Preview, Promoted or Aborted. */
    public readonly phase: pulumi.Output<string>;
    /** Percent of traffic on the candidate. */
    public readonly weight: pulumi.Output<number>;
    /** Name of the main Service (it selects the stable track). */
    public readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: ReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:Release", name, {}, opts);
        const d = DEFAULTS.Release;
        // goship's own parser validates and defaults these, with the same messages as the
        // stack config (which is what these inputs are).
        const cfg = validated({
            appName: args.appName,
            version: args.version,
            replicas: args.replicas,
            resources: args.resources,
            autoscaling: args.autoscaling ? { enabled: true, ...args.autoscaling } : { enabled: false },
            ingress: { host: args.host, path: args.path, className: args.ingressClassName, tlsSecretName: args.tlsSecretName },
            app: { port: args.port },
            release: {
                strategy: args.strategy, steps: args.steps, step: args.step, abort: args.abort,
                scaleDownDelaySeconds: args.scaleDownDelaySeconds, rolloutTimeoutSeconds: args.rolloutTimeoutSeconds,
            },
        }, this);
        const release = new RealRelease(name, {
            appName: cfg.appName,
            namespace: args.namespace,
            version: cfg.version,
            settings: cfg.release,
            imageRef: args.image,
            imageRepository: args.imageRepository ?? cfg.appName,
            replicas: cfg.replicas,
            autoscaling: cfg.autoscaling.enabled ? cfg.autoscaling : undefined,
            route: { host: cfg.ingress.host, path: cfg.ingress.path },
            router: { kind: "nginx", className: cfg.ingress.className, tlsSecretName: cfg.ingress.tlsSecretName },
            labels: args.labels,
            track: {
                port: cfg.app.port,
                resources: resourceRequirements(cfg.resources),
                imagePullPolicy: args.imagePullPolicy ?? d.imagePullPolicy,
                timings: cfg.app,
                terminationGracePeriodSeconds: terminationGracePeriodSeconds(cfg.app),
                rolloutTimeoutSeconds: cfg.release.rolloutTimeoutSeconds,
                configMapName: args.configMapName,
                secretName: args.secretName,
            },
        }, { parent: this });
        this.status = release.status;
        this.stableVersion = release.state.apply((s) => s.stableVersion);
        this.phase = release.state.apply((s) => s.phase);
        this.weight = release.state.apply((s) => s.weight);
        this.serviceName = release.mainService.metadata.name;
        this.registerOutputs({
            status: this.status, stableVersion: this.stableVersion, phase: this.phase, weight: this.weight, serviceName: this.serviceName,
        });
    }
}

/** The inputs, minus the ones left out, as goship config values. */
function compact(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(compact);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, compact(x)]));
}

/** goship config keys → the Release input each comes from (the others keep their config path). */
const INPUT_OF: Array<[RegExp, string]> = [
    [/^goship:release\./, ""], [/^goship:ingress\.className\b/, "ingressClassName"], [/^goship:ingress\./, ""],
    [/^goship:app\./, ""], [/^goship:/, ""],
];

/**
 * Validates and defaults a Release's inputs with goship's config parser; its messages name
 * config keys (`goship:release.step`), rewritten here to the input names (`step`).
 */
function validated(raw: Record<string, unknown>, resource: pulumi.Resource) {
    try {
        return parseConfig(compact(raw) as Record<string, unknown>, pulumi.getStack());
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const problems = e.problems.map((p) => {
            const rule = INPUT_OF.find(([re]) => re.test(p));
            return rule ? p.replace(rule[0], rule[1]) : p;
        });
        // The consumer reads the message alone, without a stack trace from the provider.
        throw new pulumi.ResourceError(`invalid Release inputs:\n  - ${problems.join("\n  - ")}`, resource, true);
    }
}

function resourcesOf(r: ContainerResources | undefined) {
    const d = DEFAULTS.GoWorkload.resources;
    return {
        requests: { ...d.requests, ...compact(r?.requests) as Partial<Quantities> },
        limits: { ...d.limits, ...compact(r?.limits) as Partial<Quantities> },
    } as Parameters<typeof resourceRequirements>[0];
}
