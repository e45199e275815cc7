// ingress-nginx router: the primary Ingress routes the host/path to the main Service;
// for a canary, a copy of it (same host, path, class and TLS) named `<app>-canary` routes
// to the other track's Service with `canary: "true"` and `canary-weight`. ingress-nginx
// honours one canary Ingress per host/path; header beats cookie beats weight. The canary
// Ingress stays between releases, parked at weight 0, so a release never creates it.
import type * as k8s from "@pulumi/kubernetes";
import type { IngressObject, MatchRoute, NginxRouterConfig, RouteObjectRef, RouteRequest, Router } from "../router";

const A = "nginx.ingress.kubernetes.io";

/** Where the Ingress serves: host/path, class, TLS, and the Service port it targets. */
export interface IngressRoute {
    host: string;
    path: string;
    className: string;
    /** TLS Secret for the host (cert-manager or pre-created). Prod must set it. */
    tlsSecretName?: string;
    /** Service port name the backend targets. */
    servicePort: string;
}

/** The Ingress spec for one host/path to one Service; the canary Ingress is a copy of it. */
export function ingressSpec(route: IngressRoute, serviceName: string): k8s.types.input.networking.v1.IngressSpec {
    return {
        ingressClassName: route.className,
        tls: route.tlsSecretName ? [{ hosts: [route.host], secretName: route.tlsSecretName }] : undefined,
        rules: [{
            host: route.host,
            http: {
                paths: [{
                    path: route.path,
                    pathType: "Prefix",
                    backend: { service: { name: serviceName, port: { name: route.servicePort } } },
                }],
            },
        }],
    };
}

/** The canary annotations for a weight and optional header/cookie match. */
export function canaryAnnotations(weight: number, match?: MatchRoute): Record<string, string> {
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new Error(`canary weight must be an integer in [0, 100], got ${weight}`);
    const a: Record<string, string> = { [`${A}/canary`]: "true", [`${A}/canary-weight`]: String(weight) };
    if (match?.header) {
        a[`${A}/canary-by-header`] = match.header;
        if (match.headerValue) a[`${A}/canary-by-header-value`] = match.headerValue;
        else if (match.headerPattern) a[`${A}/canary-by-header-pattern`] = match.headerPattern;
    }
    if (match?.cookie) a[`${A}/canary-by-cookie`] = match.cookie;
    return a;
}

export function nginxRouter(config: NginxRouterConfig): Router {
    return {
        kind: "nginx",
        objects(appName, strategy): RouteObjectRef[] {
            const refs: RouteObjectRef[] = [{ kind: "Ingress", name: appName, role: "primary" }];
            if (strategy === "canary") refs.push({ kind: "Ingress", name: `${appName}-canary`, role: "canary" });
            return refs;
        },
        routes(req: RouteRequest): IngressObject[] {
            const route: IngressRoute = {
                host: req.host, path: req.path, className: config.className, tlsSecretName: config.tlsSecretName, servicePort: req.servicePort.name,
            };
            const specs: IngressObject[] = [{
                kind: "Ingress", name: req.appName, role: "primary", annotations: {}, spec: ingressSpec(route, req.mainService),
            }];
            if (req.strategy === "canary") {
                specs.push({
                    kind: "Ingress",
                    name: `${req.appName}-canary`,
                    role: "canary",
                    annotations: canaryAnnotations(req.weight, req.match),
                    spec: ingressSpec(route, req.otherService),
                });
            }
            return specs;
        },
    };
}
