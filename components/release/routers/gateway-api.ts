// Gateway API router: goship owns one HTTPRoute per app, whole. Both anchors hurt users
// by sharing a route: Argo Rollouts' plugin rewrites rules and backends it does not
// manage, Flagger regenerates the route and drops users' filters. Owning the whole route
// means there is nothing of anyone else's to clobber. Rules:
// - `split` (the host/path): the stable track's Service alone between releases (no parked
//   zero-weight backend); during a canary, stable at 100 - w and the candidate at w
//   (weights are relative shares); for blue/green, the one backendRef moves from one
//   colour's Service to the other at the switch.
// - `testers` (canary with release.match.header): the same path plus the header match,
//   always to the candidate. A rule with a header match is more specific than one
//   without, so Gateway API gives it precedence at every weight, as nginx does.
import type {
    GatewayApiRouterConfig, HTTPBackendRef, HTTPHeaderMatch, HTTPRouteObject, HTTPRouteRule, MatchRoute, RouteObjectRef, RouteRequest, Router,
} from "../router";

/**
 * Cookie routing is refused, not emulated. Gateway API has no cookie match; a
 * `Cookie` header regex would depend on cookie order and spacing, partial names would
 * match (`xcanary=` for `canary=`), and regex header matching is implementation-specific
 * (RE2 on Envoy, PCRE on NGINX). A release gate that behaves differently per Gateway is
 * worse than a clear "use a header".
 */
export const COOKIE_UNSUPPORTED = "is not supported with router gatewayApi (Gateway API has no cookie match, and a Cookie-header regex behaves differently per implementation): use match.header instead";

/** The header match testers send. A header without a value matches `always`, as ingress-nginx's canary-by-header does. */
export function headerMatch(match: MatchRoute): HTTPHeaderMatch | undefined {
    if (match.cookie) throw new Error(`match.cookie ${COOKIE_UNSUPPORTED}`);
    if (!match.header) return undefined;
    if (match.headerPattern) return { type: "RegularExpression", name: match.header, value: match.headerPattern };
    return { type: "Exact", name: match.header, value: match.headerValue ?? "always" };
}

export function gatewayApiRouter(config: GatewayApiRouterConfig): Router {
    return {
        kind: "gatewayApi",
        objects(appName): RouteObjectRef[] {
            return [{ kind: "HTTPRoute", name: appName, role: "route" }];
        },
        routes(req: RouteRequest): HTTPRouteObject[] {
            const w = req.strategy === "canary" ? req.weight : 0;
            if (!Number.isInteger(w) || w < 0 || w > 100) throw new Error(`canary weight must be an integer in [0, 100], got ${w}`);
            const path = { type: "PathPrefix" as const, value: req.path };
            const to = (name: string, weight: number): HTTPBackendRef => ({ name, port: req.servicePort.number, weight });
            const rules: HTTPRouteRule[] = [];
            const header = req.strategy === "canary" && req.match ? headerMatch(req.match) : undefined;
            if (header) rules.push({ name: "testers", matches: [{ path, headers: [header] }], backendRefs: [to(req.otherService, 1)] });
            rules.push({
                name: "split",
                matches: [{ path }],
                backendRefs: w > 0 ? [to(req.stableService, 100 - w), to(req.otherService, w)] : [to(req.stableService, 100)],
            });
            return [{
                kind: "HTTPRoute",
                name: req.appName,
                role: "route",
                spec: { parentRefs: config.parentRefs, hostnames: config.hostnames, rules },
            }];
        },
    };
}
