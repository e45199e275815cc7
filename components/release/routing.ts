// The traffic side of a release: the main Service (it selects the stable track), the
// blue/green preview Service, and the router's objects (Ingresses or an HTTPRoute), whose
// specs the router computes from the release state as plain values.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GoWorkload, OWNED_BY_PULUMI, trackSelector } from "../workload";
import type { RecordView } from "./record";
import type { IngressObject, RouteObject, RouterConfig, ServicePort } from "./router";
import { routerFor } from "./routers";
import type { Track } from "./strategy";

/** The port every goship Service exposes (the main, preview and per-track Services). */
const SERVICE_PORT: ServicePort = { name: "http", number: 80 };
const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

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

export interface RoutingArgs {
    appName: string;
    namespace: pulumi.Input<string>;
    /**
     * The configured strategy: it fixes which objects exist (a preview Service for
     * blue/green; the router's object set), so every step updates the same resources.
     * What they hold follows the release state.
     */
    strategy: "canary" | "blueGreen";
    /** Public host and URL path prefix of the app. */
    route: { host: string; path: string };
    router: RouterConfig;
    /** The ingress controller: Ingresses wait for it (its admission webhook must be up). */
    controller?: pulumi.Resource;
    labels?: Record<string, string>;
}

export interface Routing {
    /** The track the main Service selects, from the release state. */
    stableTrack: pulumi.Output<Track>;
    mainService: k8s.core.v1.Service;
    previewService?: k8s.core.v1.Service;
    /** The router's objects: Ingresses (nginx) or one HTTPRoute (gatewayApi). */
    routes: pulumi.CustomResource[];
    /** Everything that routes traffic: what a track leaving service waits for. */
    all: pulumi.Resource[];
}

function clusterService(name: string, resourceName: string, args: RoutingArgs, track: pulumi.Output<Track>,
    opts: pulumi.CustomResourceOptions): k8s.core.v1.Service {
    return new k8s.core.v1.Service(resourceName, {
        metadata: { name, namespace: args.namespace, labels: args.labels },
        spec: {
            type: "ClusterIP",
            selector: track.apply((t) => trackSelector(args.appName, t)),
            ports: [{ name: SERVICE_PORT.name, port: SERVICE_PORT.number, targetPort: "http", protocol: "TCP" }],
        },
    }, opts);
}

/** Creates the Services and the router's objects of a release, ordered after the tracks they send traffic to. */
export function createRouting(parent: pulumi.Resource, args: RoutingArgs, release: RecordView,
    tracks: Record<Track, GoWorkload>): Routing {
    const app = args.appName;
    const stableTrack = release.state.apply((st) => st.stableTrack);
    const otherTrack = stableTrack.apply((t): Track => (t === "blue" ? "green" : "blue"));

    const mainService = clusterService(app, `${app}-main`, args, stableTrack, {
        parent,
        // The main Service moves to a track only once that track is ready (an unknown
        // stable track, in a preview, means no dependency).
        dependsOn: stableTrack.apply((t) => [tracks[t]]),
    });
    // The non-stable colour: the candidate in Preview, the warm old colour after a switch.
    const previewService = args.strategy === "blueGreen"
        ? clusterService(`${app}-preview`, `${app}-preview`, args, otherTrack, { parent })
        : undefined;

    // The router sees plain values; the objects it keeps are fixed by the strategy, so
    // every step updates the same resources (only their specs follow the state).
    const router = routerFor(args.router);
    const desired = pulumi.all([release.state, stableTrack, otherTrack]).apply(([st, stable, other]) => router.routes({
        appName: app,
        host: args.route.host,
        path: args.route.path,
        strategy: st.strategy,
        mainService: app,
        stableService: `${app}-${stable}`,
        otherService: `${app}-${other}`,
        servicePort: SERVICE_PORT,
        weight: st.weight,
        // Header/cookie routing as the state machine put it in the state (see matchInEffect).
        match: st.match,
    }));
    const candidate = pulumi.all([otherTrack, release.roles]).apply(([o, roles]): pulumi.Resource[] =>
        (roles[o] === "candidate" ? [tracks[o]] : []));
    const routes = router.objects(app, args.strategy).map((ref) => {
        const obj = desired.apply((objs): RouteObject => {
            const o = objs.find((x) => x.kind === ref.kind && x.name === ref.name);
            if (!o) throw new pulumi.ResourceError(`router ${router.kind} returned no ${ref.kind} ${ref.name}`, parent);
            return o;
        });
        const ingress = ref.kind === "Ingress";
        // Every Ingress waits for the controller: its admission webhook must answer.
        const waits: pulumi.Resource[] = [mainService, ...(ingress && args.controller ? [args.controller] : [])];
        const opts: pulumi.CustomResourceOptions = {
            parent,
            // Weights move only once the candidate's pods are ready (the canary Ingress, the
            // HTTPRoute), and only after the main Service: the primary Ingress routes to it.
            dependsOn: ref.role === "primary" ? waits : candidate.apply((c) => [...c, ...waits]),
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
    return { stableTrack, mainService, previewService, routes, all: [mainService, ...(previewService ? [previewService] : []), ...routes] };
}
