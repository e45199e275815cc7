// Gateway API HTTPRoute checks. The apiserver's CRD schema already refuses malformed
// fields; these catch what it accepts but users would regret: a route attached to no
// Gateway, a catch-all hostname, a rule whose weights send traffic nowhere, regex matches
// that behave differently per implementation, backends that lead to no ready pod.
import { resourcePolicy, stackPolicy } from "./lib/define";
import { nameOf, namespaceOf, of, Res, TYPES } from "./lib/k8s";
import { containerPort, portOnService, selected } from "./stack";

/** HTTPRoute is a CRD kind: no SDK class, so the policy is keyed by its Pulumi type token. */
const HTTPRoute = { __pulumiType: TYPES.HTTPRoute } as any;

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^\d+(\.\d+){3}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_|~`]+$/;
/** Gateway API caps backendRefs per rule at 16. */
const MAX_BACKENDS = 16;

const routeName = (props: any, res: { name: string }) => `HTTPRoute ${props.metadata?.name ?? res.name}`;
const rulesOf = (props: any): any[] => props.spec?.rules ?? [];
const ruleName = (rule: any, i: number) => (rule.name ? `rule ${rule.name}` : `rule ${i}`);
const isService = (b: any) => (b.group ?? "") === "" && (b.kind ?? "Service") === "Service";

export const httpRouteParentRefs = resourcePolicy({
    name: "httproute-parent-refs",
    description: "Checks that every HTTPRoute attaches to a Gateway: parentRefs set, each naming its parent (a route without a parent serves nothing).",
    severity: "high",
    remediationSteps: "Set goship:release.gatewayApi.parentRefs to the Gateway, e.g. [{name: eg, namespace: envoy-gateway-system}].",
    kinds: [HTTPRoute],
    check: (props, _k, report, res) => {
        const refs: any[] = props.spec?.parentRefs ?? [];
        if (refs.length === 0) report(`${routeName(props, res)} has no parentRefs: it is attached to no Gateway and serves nothing`);
        refs.forEach((r, i) => {
            if (!r?.name) report(`${routeName(props, res)} parentRefs[${i}] has no name: name the Gateway`);
        });
    },
});

export const httpRouteHostnames = resourcePolicy({
    name: "httproute-hostnames",
    description: "Checks that every HTTPRoute names valid hostnames (none would catch every host on the listener), without wildcards unless the knob allows them.",
    severity: "high",
    remediationSteps: "Set goship:release.gatewayApi.hostnames (default: goship:ingress.host) to concrete DNS names.",
    kinds: [HTTPRoute],
    knobs: { allowWildcard: { type: "boolean", default: false, description: "Allow `*.example.com` hostnames (dev); prod names its hosts." } },
    check: (props, knobs, report, res) => {
        const hosts: any[] = props.spec?.hostnames ?? [];
        if (hosts.length === 0) report(`${routeName(props, res)} has no hostnames: it would serve every host the Gateway listener accepts`);
        for (const h of hosts) {
            if (typeof h !== "string" || h.length > 253 || !HOSTNAME.test(h) || IPV4.test(h)) report(`${routeName(props, res)} hostname ${JSON.stringify(h)} is not a DNS name (optionally "*." first; no IP addresses)`);
            else if (h.startsWith("*.") && !knobs.allowWildcard) report(`${routeName(props, res)} uses wildcard hostname ${h}: name the host`);
        }
    },
});

export const httpRouteBackends = resourcePolicy({
    name: "httproute-backends",
    description: "Checks every HTTPRoute rule's backendRefs: Services with a name and port, weights non-negative integers and not all zero, at most 16 per rule.",
    severity: "high",
    remediationSteps: "Let goship's gatewayApi router write the route; by hand: backendRefs to Services with a port, integer weights, at least one above 0.",
    kinds: [HTTPRoute],
    check: (props, _k, report, res) => {
        rulesOf(props).forEach((rule, i) => {
            const where = `${routeName(props, res)} ${ruleName(rule, i)}`;
            const refs: any[] = rule.backendRefs ?? [];
            if (refs.length > MAX_BACKENDS) report(`${where} has ${refs.length} backendRefs: at most ${MAX_BACKENDS} per rule`);
            for (const b of refs) {
                if (!isService(b)) report(`${where} routes to ${b.kind ?? "Service"} ${b.name} (group "${b.group ?? ""}"): goship routes to Services only`);
                if (!b.name) report(`${where} has a backendRef without a name`);
                if (b.port === undefined) report(`${where} backendRef ${b.name} has no port: a Service backend needs one`);
                const w = b.weight ?? 1;
                if (!Number.isInteger(w) || w < 0) report(`${where} backendRef ${b.name} weight ${JSON.stringify(b.weight)} must be a non-negative integer`);
            }
            if (refs.length > 0 && refs.every((b) => (b.weight ?? 1) === 0)) report(`${where} has only zero-weight backendRefs: its requests all fail (500)`);
        });
    },
});

export const httpRouteHeaderMatches = resourcePolicy({
    name: "httproute-header-matches",
    description: "Checks that HTTPRoute header matches are well formed: a header name, a value, type Exact (the default) or RegularExpression with a pattern that compiles.",
    severity: "high",
    remediationSteps: "Set goship:release.match.header with headerValue (Exact) or headerPattern (RegularExpression).",
    kinds: [HTTPRoute],
    check: (props, _k, report, res) => {
        rulesOf(props).forEach((rule, i) => {
            for (const m of rule.matches ?? []) {
                for (const h of m.headers ?? []) {
                    const where = `${routeName(props, res)} ${ruleName(rule, i)} header match ${JSON.stringify(h.name)}`;
                    const type = h.type ?? "Exact";
                    if (!h.name || !HEADER_NAME.test(h.name)) report(`${where}: the name must be an HTTP header name`);
                    if (typeof h.value !== "string" || h.value === "") report(`${where}: needs a value`);
                    if (type !== "Exact" && type !== "RegularExpression") report(`${where}: type ${type} must be Exact or RegularExpression`);
                    if (type === "RegularExpression" && typeof h.value === "string") {
                        try {
                            new RegExp(h.value);
                        } catch {
                            report(`${where}: ${JSON.stringify(h.value)} is not a valid regular expression`);
                        }
                    }
                }
            }
        });
    },
});

export const httpRouteRegexMatch = resourcePolicy({
    name: "httproute-regex-match",
    description: "Checks for RegularExpression matches in HTTPRoutes, which Gateway API leaves implementation-specific (RE2 on Envoy, PCRE on NGINX): advisory.",
    severity: "low",
    enforcementLevel: "advisory",
    remediationSteps: "Prefer match.headerValue (Exact); keep a headerPattern to the syntax every implementation shares, and test it on your Gateway.",
    kinds: [HTTPRoute],
    check: (props, _k, report, res) => {
        rulesOf(props).forEach((rule, i) => {
            for (const m of rule.matches ?? []) {
                for (const h of m.headers ?? []) {
                    if (h.type === "RegularExpression") report(`${routeName(props, res)} ${ruleName(rule, i)} matches header ${h.name} by RegularExpression ${JSON.stringify(h.value)}: its dialect depends on the Gateway implementation`);
                }
                if (m.path?.type === "RegularExpression") report(`${routeName(props, res)} ${ruleName(rule, i)} matches the path by RegularExpression: its dialect depends on the Gateway implementation`);
            }
        });
    },
});

export const httpRouteBackendChain = stackPolicy({
    name: "httproute-backend-chain",
    description: "Checks the HTTPRoute → Service → container → readiness probe chain: every backendRef Service is in the stack, selects pods, declares the port, and that port is the one the readiness probe checks.",
    severity: "high",
    remediationSteps: "Point backendRefs at Services of the stack and a port they declare, whose targetPort is the container port the readiness probe checks.",
    check: (rs, _k, report) => {
        for (const route of of(rs, TYPES.HTTPRoute)) {
            rulesOf(route.props).forEach((rule, i) => {
                for (const b of rule.backendRefs ?? []) {
                    if (!isService(b)) continue; // reported by httproute-backends
                    const ns = b.namespace ?? namespaceOf(route);
                    const where = `HTTPRoute ${nameOf(route)} ${ruleName(rule, i)}`;
                    const svc = of(rs, TYPES.Service).find((s) => nameOf(s) === b.name && namespaceOf(s) === ns);
                    if (!svc) {
                        report(`${where} routes to Service ${b.name}, which is not in the stack`, route.urn);
                        continue;
                    }
                    const sp = portOnService(svc, { number: b.port });
                    if (!sp) {
                        report(`${where} routes to port ${b.port} of Service ${b.name}, which does not declare it`, route.urn);
                        continue;
                    }
                    const pods = selected(rs, ns, svc.props?.spec?.selector);
                    if (pods.length === 0) report(`${where} routes to Service ${b.name}, whose selector matches no Deployment's pods`, route.urn);
                    for (const d of pods) {
                        const cp = containerPort(d, sp.targetPort ?? sp.port);
                        if (!cp) {
                            report(`${where}: Service ${b.name} port ${b.port} targets ${sp.targetPort ?? sp.port}, which Deployment ${nameOf(d)} does not expose`, route.urn);
                            continue;
                        }
                        const probe = cp.container.readinessProbe?.httpGet?.port ?? cp.container.readinessProbe?.tcpSocket?.port;
                        if (probe !== undefined && probe !== cp.port.name && String(probe) !== String(cp.port.containerPort)) {
                            report(`${where}: traffic reaches port ${cp.port.name ?? cp.port.containerPort} of Deployment ${nameOf(d)}, but its readiness probe checks ${probe}`, d.urn);
                        }
                    }
                }
            });
        }
    },
});

/** The host/path pairs a route serves (no hostnames: every host, written `*`). */
function servedAt(route: Res): string[] {
    const hosts: string[] = route.props?.spec?.hostnames?.length ? route.props.spec.hostnames : ["*"];
    const paths = new Set<string>();
    for (const rule of rulesOf(route.props)) {
        const ms = rule.matches?.length ? rule.matches : [{ path: { type: "PathPrefix", value: "/" } }];
        for (const m of ms) paths.add(`${m.path?.type ?? "PathPrefix"} ${m.path?.value ?? "/"}`);
    }
    return hosts.flatMap((h) => [...paths].map((p) => `${h} ${p}`));
}

export const oneRoutePerHost = stackPolicy({
    name: "one-route-per-host",
    description: "Checks that each hostname/path is served by one HTTPRoute of the stack: goship owns its route whole, and two routes for one path merge by precedence rules nobody reviews.",
    severity: "high",
    remediationSteps: "Keep one HTTPRoute per hostname/path (goship's gatewayApi router creates exactly one per app); move other rules to another path or host.",
    check: (rs, _k, report) => {
        const seen = new Map<string, Res>();
        for (const route of of(rs, TYPES.HTTPRoute)) {
            for (const at of servedAt(route)) {
                const first = seen.get(at);
                if (first && first !== route) report(`HTTPRoutes ${nameOf(first)} and ${nameOf(route)} both serve ${at}: keep one`, route.urn);
                else seen.set(at, route);
            }
        }
    },
});

export const gatewayApiResourcePolicies = [httpRouteParentRefs, httpRouteHostnames, httpRouteBackends, httpRouteHeaderMatches, httpRouteRegexMatch];
export const gatewayApiStackPolicies = [httpRouteBackendChain, oneRoutePerHost];
