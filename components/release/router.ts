// The traffic-routing side of a release, behind a small interface that speaks in
// weights (flagger's SetRoutes habit): the state machine picks the numbers, a router
// turns them into object specs, and the Release component creates them. ingress-nginx
// is the router today; a Gateway API HTTPRoute router can be added beside it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IngressRoute } from "../app-ingress";
import { nginxRouter } from "./routers/nginx";

/** Header/cookie routing for testers: reaches the candidate whatever the weight. */
export interface MatchRoute {
    header?: string;
    headerValue?: string;
    headerPattern?: string;
    cookie?: string;
}

export interface RouteRequest {
    appName: string;
    route: IngressRoute;
    /** The main Service: selects the stable track. */
    stableService: string;
    /** The candidate track's Service while a canary is in flight (or parked after an abort). */
    canary?: {
        service: pulumi.Input<string>;
        /** Share of traffic for the candidate, 0..100. */
        weight: pulumi.Input<number>;
        /** Header/cookie routing; undefined when off (abort removes it). */
        match: pulumi.Input<MatchRoute | undefined>;
    };
}

/** An Ingress the Release component should create. */
export interface IngressSpec {
    /** Kubernetes object name, stable across updates (it is also the Pulumi name suffix). */
    name: string;
    role: "primary" | "canary";
    annotations: pulumi.Input<Record<string, pulumi.Input<string>>>;
    spec: k8s.types.input.networking.v1.IngressSpec;
}

export interface Router {
    readonly kind: string;
    /** The desired routing objects for one request; building them creates nothing. */
    routes(req: RouteRequest): IngressSpec[];
}

export const ROUTERS: Record<string, Router> = { nginx: nginxRouter };

/** Returns the router of a kind; an unknown kind is an error, never a silent fallback. */
export function routerFor(kind: string): Router {
    const r = ROUTERS[kind];
    if (!r) throw new Error(`unknown router "${kind}"; known routers: ${Object.keys(ROUTERS).join(", ")}`);
    return r;
}
