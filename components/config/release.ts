// Parsing of `goship:release`: strategy, steps, match, analysis and the router (with its
// Gateway API settings). Pure; the types belong to components/release/.
import type { AnalysisConfig } from "../release/analysis";
import type { ParentRef } from "../release/router";
import { COOKIE_UNSUPPORTED } from "../release/routers/gateway-api";
import type { GatewayApiConfig, MatchConfig, ReleaseSettings } from "../release/settings";
import { DNS_LABEL, DNS_NAME, Reader, show } from "./validate";

export function parseRelease(r: Reader, defaults: { host: string; namespace: string }): ReleaseSettings {
    const router = r.string("router", "nginx", { oneOf: ["nginx", "gatewayApi"] }) as ReleaseSettings["router"];
    let gatewayApi: GatewayApiConfig | undefined;
    if (router === "gatewayApi") {
        gatewayApi = parseGatewayApi(r, defaults);
    } else if (r.has("gatewayApi")) {
        r.fail("gatewayApi", `is set but release.router is "${router}": set release.router to "gatewayApi", or remove release.gatewayApi`);
        r.raw("gatewayApi");
    }
    const strategy = r.string("strategy", "canary", { oneOf: ["canary", "blueGreen"] }) as ReleaseSettings["strategy"];
    const steps = r.intList("steps", [5, 20, 50, 100], 1, 100);
    if (!steps.every((s, i) => i === 0 || s > steps[i - 1])) {
        r.fail("steps", `must be strictly increasing, got ${show(steps)}`);
    } else if (steps[steps.length - 1] !== 100) {
        r.fail("steps", `must end with 100 (the promotion), got ${show(steps)}`);
    }
    // Steps past the end are refused by the release state machine, which can name the
    // current state and the allowed moves; here only the type and sign are checked.
    const step = r.int("step", 0, 0, 99);
    const abort = r.bool("abort", false);
    const scaleDownDelaySeconds = r.int("scaleDownDelaySeconds", 600, 0, 7 * 24 * 3600);
    const rolloutTimeoutSeconds = r.int("rolloutTimeoutSeconds", 600, 10, 3600);

    let match: MatchConfig | undefined;
    if (r.has("match")) {
        const m = r.child("match");
        const token = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
        match = {
            header: m.optionalString("header", { pattern: token, allowed: "an HTTP header name" }),
            headerValue: m.optionalString("headerValue", { pattern: /^[^\n]{1,200}$/, allowed: "one line" }),
            headerPattern: m.optionalString("headerPattern"),
            cookie: m.optionalString("cookie", { pattern: token, allowed: "a cookie name" }),
            steps: m.has("steps") ? m.intList("steps", [], 0, steps.length - 1) : (m.raw("steps"), undefined),
        };
        if (match.headerPattern !== undefined) {
            try {
                new RegExp(match.headerPattern);
            } catch {
                m.fail("headerPattern", `must be a valid regular expression, got ${show(match.headerPattern)}`);
            }
        }
        if (!match.header && !match.cookie) m.fail("header", "or match.cookie is required when match is set");
        if ((match.headerValue || match.headerPattern) && !match.header) {
            m.fail("headerValue", "and match.headerPattern need match.header");
        }
        if (match.cookie && router === "gatewayApi") m.fail("cookie", COOKIE_UNSUPPORTED);
        if (match.headerValue && match.headerPattern) {
            m.fail("headerPattern", "cannot be combined with match.headerValue (ingress-nginx honours only one)");
        }
        m.rejectUnknown();
    }

    let analysis: AnalysisConfig | undefined;
    if (r.has("analysis")) {
        const a = r.child("analysis");
        const q = a.child("queries");
        analysis = {
            prometheusUrl: a.string("prometheusUrl", "", { pattern: /^https?:\/\/[^\s]+$/, allowed: "an http(s) URL of the Prometheus server" }),
            window: a.string("window", "5m", { pattern: /^\d+[smh]$/, allowed: "a Prometheus range such as 5m" }),
            minSuccessRate: a.number("minSuccessRate", 0.99, 0, 1),
            maxP99Seconds: a.number("maxP99Seconds", 0.5, 0, 3600),
            minRequests: a.int("minRequests", 50, 0, 1e9),
            noData: a.string("noData", "fail", { oneOf: ["fail", "pass", "hold"] }) as AnalysisConfig["noData"],
            onFailure: a.string("onFailure", "refuse", { oneOf: ["refuse", "abort"] }) as AnalysisConfig["onFailure"],
            queries: {
                successRate: q.optionalString("successRate"),
                p99: q.optionalString("p99"),
                requests: q.optionalString("requests"),
            },
        };
        if (!a.has("prometheusUrl")) a.fail("prometheusUrl", "is required when analysis is set");
        q.rejectUnknown();
        a.rejectUnknown();
    }
    r.rejectUnknown();
    return { router, ...(gatewayApi ? { gatewayApi } : {}), strategy, steps, step, abort, match, scaleDownDelaySeconds, rolloutTimeoutSeconds, analysis };
}

/** Gateway API's Hostname: a DNS name, optionally with one leading `*.` label; never an IP. */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function parseGatewayApi(r: Reader, defaults: { host: string; namespace: string }): GatewayApiConfig {
    const g = r.child("gatewayApi");
    const parentRefs: ParentRef[] = [];
    const rawRefs = g.raw("parentRefs");
    if (rawRefs === undefined) {
        g.fail("parentRefs", "is required with router gatewayApi: the Gateway to attach to, e.g. [{name: eg, namespace: envoy-gateway-system}]");
    } else if (!Array.isArray(rawRefs) || rawRefs.length === 0 || rawRefs.length > 32) {
        g.fail("parentRefs", `must be a list of 1 to 32 Gateway references ({name, namespace?, sectionName?}), got ${show(rawRefs)}`);
    } else {
        rawRefs.forEach((raw, i) => {
            const p = Reader.of(`${g.key}.parentRefs[${i}]`, raw, r.problems);
            if (!p.has("name")) p.fail("name", "is required: the Gateway's name");
            const ref: ParentRef = {
                name: p.string("name", "", { pattern: DNS_NAME, allowed: "a Gateway name (a DNS subdomain)" }),
                namespace: p.optionalString("namespace", { pattern: DNS_LABEL, allowed: "a namespace name (a DNS label)" }),
                sectionName: p.optionalString("sectionName", { pattern: DNS_NAME, allowed: "a listener name (a DNS subdomain)" }),
            };
            p.rejectUnknown();
            parentRefs.push(Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined)) as ParentRef);
        });
    }
    let hostnames = defaults.host ? [defaults.host] : [];
    const rawHosts = g.raw("hostnames");
    if (rawHosts !== undefined) {
        const bad = Array.isArray(rawHosts) ? rawHosts.filter((h) => typeof h !== "string" || h.length > 253 || !HOSTNAME.test(h) || /^\d+(\.\d+){3}$/.test(h)) : [];
        if (!Array.isArray(rawHosts) || rawHosts.length === 0 || rawHosts.length > 16) {
            g.fail("hostnames", `must be a list of 1 to 16 host names, got ${show(rawHosts)}`);
        } else if (bad.length > 0) {
            g.fail("hostnames", `entries must be DNS names, optionally starting with "*." (no IP addresses), got ${bad.map(show).join(", ")}`);
        } else {
            hostnames = rawHosts as string[];
        }
    }
    const firstNs = parentRefs[0]?.namespace ?? defaults.namespace;
    const dataPlaneNamespace = g.string("dataPlaneNamespace", firstNs, { pattern: DNS_LABEL, allowed: "a namespace name (a DNS label)" });
    g.rejectUnknown();
    return { parentRefs, hostnames, dataPlaneNamespace };
}
