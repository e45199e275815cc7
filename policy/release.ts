// The release checks: ingress-nginx canary annotations (a malformed canary Ingress is
// either ignored by the controller or takes traffic nobody meant it to), one canary per
// host/path, and the candidate track held to prod-level container checks in every stack.
import * as k8s from "@pulumi/kubernetes";
import { resourcePolicy, stackPolicy, withDefaults } from "./lib/define";
import { nameOf, namespaceOf, NGINX, of, Res, TYPES } from "./lib/k8s";
import { containerEphemeralStorage } from "./production";
import { CONTAINER_CHECKS } from "./workload";

const canaryAnnotationsOf = (props: any): Record<string, string> =>
    Object.fromEntries(Object.entries<any>(props.metadata?.annotations ?? {}).filter(([k]) => k.startsWith(`${NGINX}/canary`)));

export function isCanary(props: any): boolean {
    return props.metadata?.annotations?.[`${NGINX}/canary`] === "true";
}

export const canaryAnnotations = resourcePolicy({
    name: "canary-annotations",
    description: "Checks that ingress-nginx canary annotations are well formed: canary \"true\" with any canary-*, an integer weight within the total, header value/pattern only with a header.",
    severity: "high",
    remediationSteps: "Let goship's router write the canary Ingress; by hand: canary \"true\", canary-weight 0..canary-weight-total, canary-by-header before its -value/-pattern.",
    kinds: [k8s.networking.v1.Ingress],
    check: (props, _k, report, res) => {
        const a = canaryAnnotationsOf(props);
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
        const a = canaryAnnotationsOf(props);
        const w = Number(a[`${NGINX}/canary-weight`] ?? "0");
        if (w === 0 && !a[`${NGINX}/canary-by-header`] && !a[`${NGINX}/canary-by-cookie`]) {
            report(`Ingress ${props.metadata?.name ?? res.name} is a canary at weight 0 with no header or cookie: it routes nothing`);
        }
    },
});

export const oneCanaryPerHost = stackPolicy({
    name: "one-canary-per-host",
    description: "Checks that each host/path has at most one canary Ingress (ingress-nginx honours only one) and a primary Ingress for the same host/path routing to a different Service.",
    severity: "high",
    remediationSteps: "Keep one canary Ingress per host/path (goship's router creates exactly one), beside the primary Ingress.",
    check: (rs, _k, report) => {
        const routes = (i: Res) => (i.props?.spec?.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => ({
            at: `${namespaceOf(i)} ${r.host}${p.path ?? "/"}`, service: p.backend?.service?.name,
        })));
        const canaries = new Map<string, Res[]>();
        const primaries = new Map<string, string[]>();
        for (const i of of(rs, TYPES.Ingress)) {
            for (const r of routes(i)) {
                if (isCanary(i.props)) canaries.set(r.at, [...(canaries.get(r.at) ?? []), i]);
                else primaries.set(r.at, [...(primaries.get(r.at) ?? []), r.service]);
            }
        }
        for (const [at, list] of canaries) {
            if (list.length > 1) report(`${list.length} canary Ingresses (${list.map(nameOf).join(", ")}) serve ${at}: ingress-nginx honours only one; keep one`, list[1].urn);
            const prim = primaries.get(at);
            if (!prim) {
                report(`canary Ingress ${nameOf(list[0])} serves ${at} but no primary Ingress does: a canary needs a primary`, list[0].urn);
                continue;
            }
            for (const c of list) {
                const svc = routes(c).find((r: any) => r.at === at)?.service;
                if (prim.includes(svc)) report(`canary Ingress ${nameOf(c)} routes ${at} to ${svc}, the same Service as the primary: route the canary to the candidate's Service`, c.urn);
            }
        }
    },
});

/**
 * The knobs the candidate track is checked with in every stack: policy/config/prod.json's
 * container knobs, except `requireDigest`. A dev candidate is a local build that was never
 * pushed, so it has no digest; in prod, image-reference already requires the digest of
 * every Deployment. (test/policy/policies.test.ts holds this against prod.json.)
 */
export const CANDIDATE_CONTAINER_KNOBS = { requireDigest: false, requireCpuLimit: false, maxLivenessDelayWithoutStartupProbe: 30 };

export const canaryTrackProdChecks = stackPolicy({
    name: "canary-track-prod-checks",
    description: "Checks the candidate (canary) track with the prod-level container checks in every stack: a release must not promote what prod would refuse.",
    severity: "high",
    remediationSteps: "Fix the candidate's pod spec as the named container check says.",
    check: (rs, _k, report) => {
        for (const d of of(rs, TYPES.Deployment)) {
            if (d.props?.metadata?.labels?.["goship.dev/role"] !== "candidate") continue;
            for (const p of [...CONTAINER_CHECKS, containerEphemeralStorage]) {
                p.check(d.props, withDefaults(p.knobs, CANDIDATE_CONTAINER_KNOBS), (m) => report(`[${p.name}] candidate track: ${m}`, d.urn), { name: d.name, type: d.type });
            }
        }
    },
});

export const releasePolicies = [canaryAnnotations, canaryRoutesSomething];
export const releaseStackPolicies = [oneCanaryPerHost, canaryTrackProdChecks];
