import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Autoscaler, AutoscalingConfig } from "../autoscaler";
import { GoWorkload, GoWorkloadArgs, OWNED_BY_PULUMI, trackSelector } from "../workload";
import type { AnalysisConfig } from "./analysis";
import { LIVE_REPLICAS_ANNOTATION, liveReplicas } from "./live";
import { CachedDynamicResource } from "./dynamic";
import { engineReleaseProvider, plannedState, ReleaseInputs, ReleaseOutputs } from "./provider";
import { trackReplicas } from "./replicas";
import type { IngressObject, MatchRoute, RouteObject, RouterConfig, ServicePort } from "./router";
import { routerFor } from "./routers";
import type { MatchConfig, ReleaseSettings } from "./settings";
import type { ReleaseState as ReleaseStateData, Track, TrackRole } from "./strategy";

const TRACKS: Track[] = ["blue", "green"];
/** The port every goship Service exposes (the main, preview and per-track Services). */
const SERVICE_PORT: ServicePort = { name: "http", number: 80 };
const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

/** The per-track Deployment settings shared by both tracks. */
export type TrackTemplate = Omit<GoWorkloadArgs, "appName" | "track" | "role" | "image" | "version" | "replicas" | "namespace">;

export interface ReleaseArgs {
    appName: string;
    namespace: pulumi.Input<string>;
    /** The version that should be live (`goship:version`). */
    version: string;
    /** `goship:release`: strategy, steps, step, abort, match, analysis. */
    settings: ReleaseSettings;
    /** Image built for `version`; other tracks keep the image they were given. */
    imageRef: pulumi.Input<string>;
    /** Repository of the app image, for tracks whose image is not recorded in the release. */
    imageRepository: string;
    /** Stable size when not autoscaled. */
    replicas: number;
    /** When enabled, an HPA scales the stable track; canary and promotion sizes follow its live count (at least `minReplicas`). */
    autoscaling?: AutoscalingConfig;
    track: TrackTemplate;
    /** Public host and URL path prefix of the app. */
    route: { host: string; path: string };
    /** How traffic reaches the tracks. @default { kind: "nginx", className: "nginx" } */
    router?: RouterConfig;
    /** The ingress controller: Ingresses wait for it (its admission webhook must be up). */
    controller?: pulumi.Resource;
    labels?: Record<string, string>;
    /** Clock override for tests and offline rehearsals. */
    now?: string;
}

/** The dynamic resource holding the release state in Pulumi state. */
export class ReleaseRecord extends CachedDynamicResource {
    declare public readonly state: pulumi.Output<ReleaseStateData>;
    declare public readonly trackImages: pulumi.Output<Record<Track, string | undefined>>;
    declare public readonly roles: pulumi.Output<Record<Track, TrackRole>>;
    declare public readonly status: pulumi.Output<string>;
    declare public readonly lastTransition: pulumi.Output<string>;

    constructor(name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(engineReleaseProvider, name, {
            ...args, state: undefined, trackImages: undefined, roles: undefined, status: undefined, lastTransition: undefined,
        }, opts, "goship", "Release");
    }
}

/** Dependencies decided once the release state is known (dependsOn takes a promise). */
function later(p: Promise<pulumi.Resource[]>): pulumi.Input<pulumi.Input<pulumi.Resource>[]> {
    return p;
}

/** Resolves an Output for ordering decisions; undefined when unknown (preview of unknowns). */
function whenKnown<T>(o: pulumi.Output<T>): Promise<T | undefined> {
    return (o as any).promise(true);
}

/**
 * The HTTPRoute is ready once its Gateway accepted it and resolved its backends (the
 * status a Gateway controller writes for each parent). This is what lets a migration from
 * nginx create the route and see it ready before the engine deletes the Ingresses at the
 * end of the update. (The real-engine tier has no Gateway controller: its harness writes that status.)
 */
export const HTTPROUTE_AWAIT: Record<string, string> = {
    "pulumi.com/waitFor": JSON.stringify(["Accepted", "ResolvedRefs"].map((type) =>
        `jsonpath={.status.parents[0].conditions[?(@.type=="${type}")].status}=True`)),
};

/** Header/cookie routing is on only while a canary progresses, at the configured steps. */
export function activeMatch(match: MatchConfig | undefined, state: ReleaseStateData): MatchRoute | undefined {
    if (!match || state.phase !== "Progressing") return undefined;
    if (match.steps && !match.steps.includes(state.step)) return undefined;
    const { steps: _steps, ...route } = match;
    return route;
}

/**
 * Release is a component that runs the release of one app: a dynamic resource whose
 * provider computes the next release state from the stack config, two tracks (blue and
 * green) sized and imaged from that state, the main Service (selector: the stable track),
 * the router's Ingresses (canary weight and header routing) and, for blue/green, a
 * preview Service. Ordering comes from dependencies, not timing: the main Service waits
 * for the stable track to be ready, a track leaving service is scaled down only after
 * the Service and Ingresses have moved traffic away from it.
 */
export class Release extends pulumi.ComponentResource {
    public readonly release: ReleaseRecord;
    public readonly state: pulumi.Output<ReleaseStateData>;
    public readonly status: pulumi.Output<string>;
    public readonly tracks: Record<Track, GoWorkload>;
    public readonly mainService: k8s.core.v1.Service;
    /** The router's objects: Ingresses (nginx) or one HTTPRoute (gatewayApi). */
    public readonly routes: pulumi.CustomResource[];
    public readonly ingresses: k8s.networking.v1.Ingress[];

    constructor(name: string, args: ReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:Release", name, {}, opts);
        const s = args.settings;
        const app = args.appName;
        const autoscaled = args.autoscaling?.enabled ?? false;
        const base = autoscaled ? args.autoscaling!.minReplicas : args.replicas;

        const inputs: Omit<ReleaseInputs, "imageRef" | "analysis"> & { imageRef: pulumi.Input<string>; analysis?: AnalysisConfig } = {
            desired: {
                version: args.version, strategy: s.strategy, steps: s.steps, step: s.step, abort: s.abort,
                scaleDownDelaySeconds: s.scaleDownDelaySeconds,
            },
            imageRef: args.imageRef,
            ...(s.analysis ? { analysis: s.analysis } : {}),
            ...(args.now ? { now: args.now } : {}),
            // The provider refuses a router change mid-rollout (see router-change.ts).
            ...(args.router && args.router.kind !== "nginx" ? { router: args.router.kind } : {}),
            ...(pulumi.runtime.isDryRun() ? {} : { applying: true }),
        };
        this.release = new ReleaseRecord(`${name}-release`, inputs, { parent: this });
        // Everything below follows the planned state only: in a preview it is what check
        // returned, after the update the stored outputs carry volatile facts (times,
        // measured values) as well, and an input or output built from those would differ
        // from the saved plan and fail `pulumi up --plan`.
        this.state = this.release.state.apply(plannedState);
        this.status = this.release.status;
        const roles = this.release.roles;

        // Under an HPA, size from what the tracks run now (see live.ts); the first deploy
        // (a single history entry) has nothing to read yet.
        const live = autoscaled
            ? liveReplicas(this, app, args.namespace, this.state.apply((st) => st.history.length > 1))
            : pulumi.output<number | undefined>(undefined);

        // Filled once the routing objects exist; idle tracks wait on them (see below).
        let routed!: (r: pulumi.Resource[]) => void;
        const routingObjects = new Promise<pulumi.Resource[]>((resolve) => { routed = resolve; });

        const tracks = {} as Record<Track, GoWorkload>;
        for (const t of TRACKS) {
            const role = roles.apply((r: Record<Track, TrackRole>) => r[t]);
            const version = this.state.apply((st) => st.trackVersions[t] ?? st.stableVersion);
            tracks[t] = new GoWorkload(`${app}-${t}`, {
                ...args.track,
                appName: app,
                track: t,
                role,
                namespace: args.namespace,
                // A track that never ran a version idles at 0 replicas with the stable image
                // (pinned like it); the version's tag is the last resort.
                image: pulumi.all([this.release.trackImages, this.state, version]).apply(([images, st, v]) =>
                    images?.[t] ?? images?.[st.stableTrack] ?? `${args.imageRepository}:${v}`),
                version,
                replicas: pulumi.all([role, this.state, live]).apply(([r, st, l]) =>
                    trackReplicas(r, st.strategy, st.weight, base, autoscaled, l)) as pulumi.Output<number>,
                // Tells the hpa-target policy that the pinned count is the HPA's own (read live).
                deploymentAnnotations: live.apply((l): Record<string, string> => (l === undefined ? {} : { [LIVE_REPLICAS_ANNOTATION]: "live" })),
            }, {
                parent: this,
                // A track leaving service scales down only after traffic has moved away.
                dependsOn: later(whenKnown(role).then((r) => (r === "idle" ? routingObjects : []))),
            });
        }
        this.tracks = tracks;

        const stableTrack = this.state.apply((st) => st.stableTrack);
        const otherTrack = stableTrack.apply((t): Track => (t === "blue" ? "green" : "blue"));
        const stableWorkload = whenKnown(stableTrack).then((t): pulumi.Resource[] => (t ? [tracks[t]] : []));

        this.mainService = new k8s.core.v1.Service(`${app}-main`, {
            metadata: { name: app, namespace: args.namespace, labels: args.labels },
            spec: {
                type: "ClusterIP",
                selector: stableTrack.apply((t) => trackSelector(app, t)),
                ports: [{ name: SERVICE_PORT.name, port: SERVICE_PORT.number, targetPort: "http", protocol: "TCP" }],
            },
        }, { parent: this, dependsOn: later(stableWorkload) });
        const routing: pulumi.Resource[] = [this.mainService];

        if (s.strategy === "blueGreen") {
            // The non-stable colour: the candidate in Preview, the warm old colour after a switch.
            routing.push(new k8s.core.v1.Service(`${app}-preview`, {
                metadata: { name: `${app}-preview`, namespace: args.namespace, labels: args.labels },
                spec: {
                    type: "ClusterIP",
                    selector: otherTrack.apply((t) => trackSelector(app, t)),
                    ports: [{ name: SERVICE_PORT.name, port: SERVICE_PORT.number, targetPort: "http", protocol: "TCP" }],
                },
            }, { parent: this }));
        }

        const candidateWorkload = whenKnown(pulumi.all([otherTrack, roles])).then((v): pulumi.Resource[] =>
            v && v[1][v[0]] === "candidate" ? [tracks[v[0]]] : []);
        // The router sees plain values; the objects it keeps are fixed by the strategy, so
        // every step updates the same resources (only their specs follow the state).
        const router = routerFor(args.router ?? { kind: "nginx", className: "nginx" });
        const desired = pulumi.all([this.state, stableTrack, otherTrack]).apply(([st, stable, other]) => router.routes({
            appName: app,
            host: args.route.host,
            path: args.route.path,
            strategy: s.strategy,
            mainService: app,
            stableService: `${app}-${stable}`,
            otherService: `${app}-${other}`,
            servicePort: SERVICE_PORT,
            weight: st.weight,
            match: activeMatch(s.match, st),
        }));
        const routeObjects = router.objects(app, s.strategy).map((ref) => {
            const obj = desired.apply((objs): RouteObject => {
                const o = objs.find((x) => x.kind === ref.kind && x.name === ref.name);
                if (!o) throw new pulumi.ResourceError(`router ${router.kind} returned no ${ref.kind} ${ref.name}`, this);
                return o;
            });
            const ingress = ref.kind === "Ingress";
            // Weights move only once the candidate's pods are ready (the canary Ingress, the
            // HTTPRoute); every Ingress waits for the controller (its admission webhook must answer).
            const opts: pulumi.CustomResourceOptions = {
                parent: this,
                dependsOn: later((ref.role === "primary" ? Promise.resolve<pulumi.Resource[]>([]) : candidateWorkload)
                    .then((a): pulumi.Resource[] => [...a, this.mainService, ...(ingress && args.controller ? [args.controller] : [])])),
            };
            const metadata = { name: ref.name, namespace: args.namespace, labels: args.labels };
            if (ingress) {
                return new k8s.networking.v1.Ingress(`${app}-${ref.role}`, {
                    metadata: { ...metadata, annotations: obj.apply((o) => ({ ...(o as IngressObject).annotations, ...OWNED_BY_PULUMI })) },
                    spec: obj.apply((o) => (o as IngressObject).spec),
                }, opts);
            }
            return new k8s.apiextensions.CustomResource(`${app}-${ref.role}`, {
                apiVersion: GATEWAY_API_VERSION,
                kind: ref.kind,
                metadata: { ...metadata, annotations: { ...HTTPROUTE_AWAIT, ...OWNED_BY_PULUMI } },
                spec: obj.apply((o) => o.spec),
            }, opts);
        });
        this.ingresses = routeObjects.filter((o): o is k8s.networking.v1.Ingress => o instanceof k8s.networking.v1.Ingress);
        this.routes = routeObjects;
        routing.push(...routeObjects);
        routed(routing);

        if (autoscaled) {
            const a = args.autoscaling!;
            new Autoscaler(app, {
                namespace: args.namespace,
                deploymentName: stableTrack.apply((t) => `${app}-${t}`),
                minReplicas: a.minReplicas,
                maxReplicas: a.maxReplicas,
                cpuUtilization: a.cpuUtilization,
                memoryUtilization: a.memoryUtilization,
                scaleDownStabilizationSeconds: a.scaleDownStabilizationSeconds,
                labels: args.labels,
            }, { parent: this });
        }

        this.registerOutputs({ state: this.state, status: this.status });
    }
}

export type { ReleaseOutputs };
