// ingress-nginx canary annotation checks: a malformed canary Ingress is either ignored
// by the controller or takes traffic nobody meant it to.
import * as k8s from "@pulumi/kubernetes";
import { resourcePolicy } from "./lib/define";
import { NGINX } from "./lib/k8s";

const canaryAnnotations = (props: any): Record<string, string> =>
    Object.fromEntries(Object.entries<any>(props.metadata?.annotations ?? {}).filter(([k]) => k.startsWith(`${NGINX}/canary`)));

export function isCanary(props: any): boolean {
    return props.metadata?.annotations?.[`${NGINX}/canary`] === "true";
}

export const canaryAnnotationsWellFormed = resourcePolicy({
    name: "canary-annotations",
    description: "Checks that ingress-nginx canary annotations are well formed: canary \"true\" with any canary-*, an integer weight within the total, header value/pattern only with a header.",
    severity: "high",
    remediationSteps: "Let goship's router write the canary Ingress; by hand: canary \"true\", canary-weight 0..canary-weight-total, canary-by-header before its -value/-pattern.",
    kinds: [k8s.networking.v1.Ingress],
    check: (props, _k, report, res) => {
        const a = canaryAnnotations(props);
        if (Object.keys(a).length === 0) return;
        const name = `Ingress ${props.metadata?.name ?? res.name}`;
        const canary = a[`${NGINX}/canary`];
        if (canary !== "true") report(`${name} has canary annotations but canary is ${canary === undefined ? "missing" : `"${canary}"`}: set ${NGINX}/canary "true"`);
        const total = a[`${NGINX}/canary-weight-total`] ?? "100";
        if (!/^\d+$/.test(total) || Number(total) < 1) report(`${name} canary-weight-total "${total}" must be a positive integer`);
        const w = a[`${NGINX}/canary-weight`];
        if (w !== undefined && (!/^\d+$/.test(w) || Number(w) > Number(total))) report(`${name} canary-weight "${w}" must be an integer in [0, ${total}]`);
        const header = a[`${NGINX}/canary-by-header`];
        for (const dep of ["canary-by-header-value", "canary-by-header-pattern"]) {
            if (a[`${NGINX}/${dep}`] !== undefined && !header) report(`${name} sets ${dep} without canary-by-header: add the header name`);
        }
        if (a[`${NGINX}/canary-by-header-pattern`] !== undefined) {
            try {
                new RegExp(a[`${NGINX}/canary-by-header-pattern`]);
            } catch {
                report(`${name} canary-by-header-pattern is not a valid regular expression`);
            }
        }
    },
});

export const canaryRoutesSomething = resourcePolicy({
    name: "canary-routes-something",
    description: "Checks that a canary Ingress can route some traffic (a weight above 0, or header/cookie routing). goship parks its canary at weight 0 between releases, so this is advisory.",
    severity: "low",
    remediationSteps: "Start a release (goship:version, goship:release.step 0) or add release.match for testers.",
    kinds: [k8s.networking.v1.Ingress],
    check: (props, _k, report, res) => {
        if (!isCanary(props)) return;
        const a = canaryAnnotations(props);
        const w = Number(a[`${NGINX}/canary-weight`] ?? "0");
        if (w === 0 && !a[`${NGINX}/canary-by-header`] && !a[`${NGINX}/canary-by-cookie`]) {
            report(`Ingress ${props.metadata?.name ?? res.name} is a canary at weight 0 with no header or cookie: it routes nothing`);
        }
    },
});

export const releasePolicies = [canaryAnnotationsWellFormed, canaryRoutesSomething];
