// ingress-nginx router: the canary Ingress is a copy of the primary Ingress (same host,
// path, class and TLS) named `<app>-canary`, with `canary: "true"` and `canary-weight`.
// ingress-nginx honours one canary Ingress per host/path; header beats cookie beats weight.
import * as pulumi from "@pulumi/pulumi";
import { ingressSpec } from "../../app-ingress";
import type { IngressSpec, MatchRoute, RouteRequest, Router } from "../router";

const A = "nginx.ingress.kubernetes.io";

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

export const nginxRouter: Router = {
    kind: "nginx",
    routes(req: RouteRequest): IngressSpec[] {
        const specs: IngressSpec[] = [{
            name: req.appName,
            role: "primary",
            annotations: {},
            spec: ingressSpec(req.route, req.stableService),
        }];
        const canary = req.canary;
        if (canary) {
            specs.push({
                name: `${req.appName}-canary`,
                role: "canary",
                annotations: pulumi.all([canary.weight, canary.match]).apply(([w, m]) => canaryAnnotations(w, m)),
                spec: ingressSpec(req.route, canary.service),
            });
        }
        return specs;
    },
};
