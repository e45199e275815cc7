// The traffic-routing side of a release, as types only (flagger keeps its router
// interface alone in pkg/router/router.go, the factory apart). The state machine picks a
// weight and a match; a router turns them, as plain values, into the plain specs of the
// objects that route traffic; the Release component creates those objects. The registry
// and `routerFor` live in ./routers/index.ts, each router in its own adapter file there.
import type * as k8s from "@pulumi/kubernetes";

/** Header/cookie routing for testers: reaches the candidate whatever the weight. */
export interface MatchRoute {
    header?: string;
    headerValue?: string;
    headerPattern?: string;
    cookie?: string;
}

/** A Service port as both routers need it: Ingress backends name it, HTTPRoute backendRefs number it. */
export interface ServicePort {
    name: string;
    number: number;
}

/** One routing state, in plain values: what the release looks like right now. */
export interface RouteRequest {
    appName: string;
    /** Public host and URL path prefix of the app. */
    host: string;
    path: string;
    strategy: "canary" | "blueGreen";
    /** The main Service: selects the stable track. */
    mainService: string;
    /** Per-track Services: the stable track's and the other track's (candidate, warm or idle). */
    stableService: string;
    otherService: string;
    servicePort: ServicePort;
    /** Candidate's share of traffic, 0..100 (canary only; 0 between releases). */
    weight: number;
    /** Header/cookie routing; undefined when off (abort removes it). */
    match?: MatchRoute;
}

/** An Ingress to create. */
export interface IngressObject {
    kind: "Ingress";
    /** Kubernetes object name, stable across updates. */
    name: string;
    /** Suffix of the Pulumi resource name (`<app>-<role>`), stable across updates. */
    role: "primary" | "canary";
    annotations: Record<string, string>;
    spec: k8s.types.input.networking.v1.IngressSpec;
}

export interface ParentRef {
    name: string;
    namespace?: string;
    sectionName?: string;
}

export interface HTTPHeaderMatch {
    type: "Exact" | "RegularExpression";
    name: string;
    value: string;
}

export interface HTTPBackendRef {
    name: string;
    port: number;
    weight: number;
}

export interface HTTPRouteRule {
    name: string;
    matches: Array<{ path: { type: "PathPrefix"; value: string }; headers?: HTTPHeaderMatch[] }>;
    backendRefs: HTTPBackendRef[];
}

/** A Gateway API HTTPRoute (gateway.networking.k8s.io/v1) to create. */
export interface HTTPRouteObject {
    kind: "HTTPRoute";
    name: string;
    role: "route";
    spec: { parentRefs: ParentRef[]; hostnames: string[]; rules: HTTPRouteRule[] };
}

/** A routing object a router wants to exist. */
export type RouteObject = IngressObject | HTTPRouteObject;

/** Which objects a router keeps: fixed for a strategy, so every step updates the same resources. */
export type RouteObjectRef = Pick<RouteObject, "kind" | "name" | "role">;

export interface Router {
    readonly kind: string;
    /** The objects this router keeps for a strategy, whatever the weight. */
    objects(appName: string, strategy: RouteRequest["strategy"]): RouteObjectRef[];
    /** The desired objects for one routing state; exactly `objects(…)`, in that order. Pure. */
    routes(req: RouteRequest): RouteObject[];
}

/** ingress-nginx settings (from `goship:ingress`). */
export interface NginxRouterConfig {
    kind: "nginx";
    className: string;
    /** TLS Secret for the host (cert-manager or pre-created). Prod must set it. */
    tlsSecretName?: string;
}

/** Gateway API settings (`goship:release.gatewayApi`). */
export interface GatewayApiRouterConfig {
    kind: "gatewayApi";
    /** The Gateway(s) the route attaches to. */
    parentRefs: ParentRef[];
    /** Hostnames the route serves; the Gateway listener must accept them. */
    hostnames: string[];
}

export type RouterConfig = NginxRouterConfig | GatewayApiRouterConfig;
export type RouterKind = RouterConfig["kind"];
