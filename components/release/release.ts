// The Release component: the release record, the two tracks and the routing, wired so
// that the order of every step comes from dependencies, never from timing.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Autoscaler, AutoscalingConfig } from "../autoscaler";
import { APP_NAME } from "../config/validate";
import type { GoWorkload } from "../workload";
import type { AnalysisConfig } from "./analysis";
import { plannedState, ReleaseInputs, ReleaseOutputs } from "./provider";
import { newReleaseRecord, PluginReleaseRecord, RecordView, ReleaseRecord } from "./record";
import type { RouterConfig } from "./router";
import { ROUTERS } from "./routers";
import { createRouting } from "./routing";
import { releaseConfig, ReleaseSettings } from "./settings";
import type { ReleaseState, Track } from "./strategy";
import { createTracks, TrackTemplate } from "./tracks";

export type { TrackTemplate };

export interface ReleaseArgs {
    /** Prefix of every object name; a DNS label. */
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
    /** Stable size when not autoscaled; an integer ≥ 1. */
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

/**
 * What is wrong with a Release's args, one message per problem (empty when fine). The
 * stack config is validated before it gets here; this guards the component's own users.
 */
export function releaseArgsProblems(args: ReleaseArgs): string[] {
    const problems: string[] = [];
    if (!APP_NAME.test(args.appName)) {
        problems.push(`appName must be a DNS label of at most 40 characters starting with a letter, got ${JSON.stringify(args.appName)}`);
    }
    if (!Number.isInteger(args.replicas) || args.replicas < 1) problems.push(`replicas must be an integer ≥ 1, got ${args.replicas}`);
    const a = args.autoscaling;
    if (a?.enabled && !(Number.isInteger(a.minReplicas) && a.minReplicas >= 1 && a.maxReplicas >= a.minReplicas)) {
        problems.push(`autoscaling needs 1 ≤ minReplicas ≤ maxReplicas, got ${a.minReplicas}..${a.maxReplicas}`);
    }
    if (!args.route.host) problems.push("route.host is required");
    if (!args.route.path.startsWith("/")) problems.push(`route.path must start with "/", got ${JSON.stringify(args.route.path)}`);
    const kind = args.router?.kind ?? "nginx";
    if (!(kind in ROUTERS)) problems.push(`router.kind must be one of ${Object.keys(ROUTERS).join(", ")}, got ${JSON.stringify(kind)}`);
    if (args.router?.kind === "gatewayApi" && args.router.parentRefs.length === 0) problems.push("router.parentRefs must name at least one Gateway");
    return problems;
}

/** The release record's inputs: what the state machine is asked to do. */
function recordInputs(args: ReleaseArgs): Omit<ReleaseInputs, "imageRef" | "analysis"> & { imageRef: pulumi.Input<string>; analysis?: AnalysisConfig } {
    const s = args.settings;
    return {
        desired: releaseConfig(args.version, s),
        imageRef: args.imageRef,
        ...(s.analysis ? { analysis: s.analysis } : {}),
        ...(args.now ? { now: args.now } : {}),
        // The provider refuses a router change mid-rollout (see router-change.ts).
        ...(args.router && args.router.kind !== "nginx" ? { router: args.router.kind } : {}),
        ...(pulumi.runtime.isDryRun() ? {} : { applying: true }),
    };
}

/**
 * Release is a component that runs the release of one app: a dynamic resource whose
 * provider computes the next release state from the stack config, two tracks (blue and
 * green) sized and imaged from that state, the main Service (selector: the stable track),
 * the router's objects (canary weight and header routing) and, for blue/green, a preview
 * Service. Ordering comes from dependencies, not timing: the main Service waits for the
 * stable track to be ready, a track leaving service is scaled down only after the Service
 * and the router's objects have moved traffic away from it.
 */
export class Release extends pulumi.ComponentResource {
    public readonly release: ReleaseRecord | PluginReleaseRecord;
    public readonly state: pulumi.Output<ReleaseState>;
    public readonly status: pulumi.Output<string>;
    public readonly tracks: Record<Track, GoWorkload>;
    public readonly mainService: k8s.core.v1.Service;
    /** The blue/green preview Service (selects the non-stable colour); undefined for a canary. */
    public readonly previewService?: k8s.core.v1.Service;
    /** The router's objects: Ingresses (nginx) or one HTTPRoute (gatewayApi). */
    public readonly routes: pulumi.CustomResource[];
    public readonly ingresses: k8s.networking.v1.Ingress[];
    /** The HPA on the stable track, when autoscaled. */
    public readonly autoscaler?: Autoscaler;

    constructor(name: string, args: ReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:Release", name, {}, opts);
        const problems = releaseArgsProblems(args);
        if (problems.length > 0) throw new pulumi.ResourceError(`Release ${name}: ${problems.join("; ")}`, this);
        const app = args.appName;

        this.release = newReleaseRecord(`${name}-release`, recordInputs(args), { parent: this });
        // Everything below follows the planned state only: in a preview it is what check
        // returned, after the update the stored outputs carry volatile facts (times,
        // measured values) as well, and an input or output built from those would differ
        // from the saved plan and fail `pulumi up --plan`.
        this.state = this.release.state.apply(plannedState);
        this.status = this.release.status;
        const view: RecordView = { state: this.state, roles: this.release.roles, trackImages: this.release.trackImages };

        // The tracks are created first (the routing waits for them), so the routing objects
        // a track leaving service waits for are handed over once they exist.
        const [routing, routed] = pulumi.deferredOutput<pulumi.Resource[]>();
        this.tracks = createTracks(this, args, view, routing);
        const r = createRouting(this, {
            appName: app,
            namespace: args.namespace,
            strategy: args.settings.strategy,
            route: args.route,
            router: args.router ?? { kind: "nginx", className: "nginx" },
            controller: args.controller,
            labels: args.labels,
        }, view, this.tracks);
        routed(pulumi.output(r.all));
        this.mainService = r.mainService;
        this.previewService = r.previewService;
        this.routes = r.routes;
        this.ingresses = r.routes.filter((o): o is k8s.networking.v1.Ingress => o instanceof k8s.networking.v1.Ingress);

        if (args.autoscaling?.enabled) {
            const a = args.autoscaling;
            this.autoscaler = new Autoscaler(app, {
                namespace: args.namespace,
                deploymentName: r.stableTrack.apply((t) => `${app}-${t}`),
                minReplicas: a.minReplicas,
                maxReplicas: a.maxReplicas,
                cpuUtilization: a.cpuUtilization,
                memoryUtilization: a.memoryUtilization,
                scaleDownStabilizationSeconds: a.scaleDownStabilizationSeconds,
                labels: args.labels,
            }, { parent: this });
        }

        // Outputs only, never child resources: a resource the update creates has no id in the
        // preview, and `pulumi up --plan` refuses the id it gets at apply ("violates plan:
        // properties changed: ++previewService[…]"). The children stay public properties.
        this.registerOutputs({ state: this.state, status: this.status });
    }
}

export type { ReleaseOutputs };
