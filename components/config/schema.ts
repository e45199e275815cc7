// The typed, validated goship stack config: parse + defaults + validation in one place.
// Pure (no Pulumi imports): `components/config/load.ts` feeds it the stack's config.
// Defaults are the safe production values from the brief; dev overrides them in
// Pulumi.dev.yaml.

import type { GatewayApiRouterConfig, ParentRef } from "../release/router";
import { COOKIE_UNSUPPORTED } from "../release/routers/gateway-api";
import {
    ConfigError, CPU_QUANTITY, DNS_LABEL, DNS_NAME, IMAGE_TAG, MEMORY_QUANTITY, parseQuantity, Reader, show,
} from "./validate";
import { EgressConfig, parseEgress, parseSpread, SpreadConfig, withCollector } from "./placement";
import { ObservabilityConfig, parseObservability } from "./observability";

export const NAMESPACE = "goship";
/** The ingress-nginx Helm chart version goship pins (the last upstream line, see README). */
export const INGRESS_NGINX_CHART_VERSION = "4.14.3";

export interface ImageConfig {
    /** Image repository without tag, e.g. `ghcr.io/acme/goship`. */
    repository: string;
    /** Push to the registry (prod) or only build locally (kind/minikube). */
    push: boolean;
    /** Registry server to log in to when pushing; defaults to the repository's host. */
    registryServer?: string;
    registryUsername?: string;
    /** Whether `goship:registryPassword` is set (the value itself stays a secret Output). */
    hasRegistryPassword: boolean;
    /** Build context, relative to the project. */
    context: string;
    platform: string;
}

export interface ResourcesConfig {
    /** ephemeralStorage: logs and the writable layer count against it (and the /tmp emptyDir, per pod). */
    requests: { cpu: string; memory: string; ephemeralStorage: string };
    limits: { cpu?: string; memory: string; ephemeralStorage: string };
}

export interface AutoscalingConfig {
    enabled: boolean;
    minReplicas: number;
    maxReplicas: number;
    cpuUtilization: number;
    memoryUtilization?: number;
    scaleDownStabilizationSeconds: number;
}

export interface AppSettings {
    port: number;
    shutdownTimeoutSeconds: number;
    drainDelaySeconds: number;
    preStopSleepSeconds: number;
    greeting: string;
    logLevel: "debug" | "info" | "warn" | "error";
    /** Whether `goship:apiToken` is set (the value itself stays a secret Output). */
    hasApiToken: boolean;
}

export interface IngressConfig {
    host: string;
    path: string;
    className: string;
    tlsSecretName?: string;
}

export interface IngressNginxConfig {
    install: boolean;
    namespace: string;
    chartVersion: string;
    replicas: number;
}

export interface QuotaConfig {
    requestsCpu: string;
    requestsMemory: string;
    limitsCpu: string;
    limitsMemory: string;
    requestsEphemeralStorage: string;
    limitsEphemeralStorage: string;
    pods: number;
}

export interface MatchConfig {
    header?: string;
    headerValue?: string;
    headerPattern?: string;
    cookie?: string;
    /** Step indices at which header/cookie routing is on; all steps when absent. */
    steps?: number[];
}

export interface AnalysisConfig {
    prometheusUrl: string;
    window: string;
    minSuccessRate: number;
    maxP99Seconds: number;
    minRequests: number;
    noData: "fail" | "pass" | "hold";
    onFailure: "refuse" | "abort";
    queries: { successRate?: string; p99?: string; requests?: string };
}

/** `goship:release.gatewayApi`: the route's Gateway and hostnames, and who may reach the pods. */
export interface GatewayApiConfig extends Omit<GatewayApiRouterConfig, "kind"> {
    /** Namespace of the Gateway's data-plane pods, let through the app's NetworkPolicy. */
    dataPlaneNamespace: string;
}

export interface ReleaseSettings {
    /** How traffic reaches the tracks: ingress-nginx Ingresses or a Gateway API HTTPRoute. */
    router: "nginx" | "gatewayApi";
    /** Set exactly when router is gatewayApi. */
    gatewayApi?: GatewayApiConfig;
    strategy: "canary" | "blueGreen";
    steps: number[];
    step: number;
    abort: boolean;
    match?: MatchConfig;
    scaleDownDelaySeconds: number;
    analysis?: AnalysisConfig;
}

export interface GoshipConfig {
    stack: string;
    appName: string;
    namespace: string;
    version: string;
    commit: string;
    image: ImageConfig;
    replicas: number;
    resources: ResourcesConfig;
    autoscaling: AutoscalingConfig;
    app: AppSettings;
    ingress: IngressConfig;
    ingressNginx: IngressNginxConfig;
    podSecurityLevel: "restricted" | "baseline" | "privileged";
    quota: QuotaConfig;
    release: ReleaseSettings;
    /** How each track's pods spread over nodes and zones. */
    spread: SpreadConfig;
    /** Default-deny egress and what the app may still reach. */
    egress: EgressConfig;
    /** Only for the real-engine test tier: objects skip readiness waits (no kubelet there). */
    skipAwait: boolean;
    /** Scraping, dashboard, alert rules, OTLP endpoint (components/config/observability.ts). */
    observability: ObservabilityConfig;
}

/** Top-level keys that hold secrets: validated for presence only, never echoed. */
export const SECRET_KEYS = ["apiToken", "registryPassword"] as const;

const k = (field: string) => `${NAMESPACE}:${field}`;

/**
 * parseConfig validates the stack's `goship:*` config (keys without the `goship:` prefix,
 * structured values already decoded) and fills in defaults. It throws one ConfigError
 * listing every problem.
 */
export function parseConfig(raw: Record<string, unknown>, stack: string): GoshipConfig {
    const problems: string[] = [];
    const top = new Reader(NAMESPACE, raw, problems);
    // Reader prefixes nested keys with "<key>."; the top level wants "goship:" instead.
    const topKey = (field: string) => k(field);
    const topFail = (field: string, msg: string) => problems.push(`${topKey(field)} ${msg}`);
    const topString = (field: string, def: string, opts: { pattern?: RegExp; allowed?: string; oneOf?: readonly string[] } = {}) => {
        const v = top.raw(field);
        if (v === undefined) return def;
        if (typeof v !== "string") {
            topFail(field, `must be a string, got ${show(v)}`);
            return def;
        }
        if (opts.oneOf && !opts.oneOf.includes(v)) {
            topFail(field, `must be one of ${opts.oneOf.map((o) => `"${o}"`).join(", ")}, got ${show(v)}`);
            return def;
        }
        if (opts.pattern && !opts.pattern.test(v)) {
            topFail(field, `must be ${opts.allowed}, got ${show(v)}`);
            return def;
        }
        return v;
    };
    const child = (field: string) => Reader.of(topKey(field), top.raw(field), problems);

    for (const s of SECRET_KEYS) {
        const v = top.raw(s);
        if (v !== undefined && typeof v !== "string") topFail(s, "must be a secret string (pulumi config set --secret)");
    }

    const appName = topString("appName", "goship", {
        pattern: /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
        allowed: "a DNS label of at most 40 characters starting with a letter (it prefixes every object name)",
    });
    const namespace = topString("namespace", `${appName}-${stack}`, { pattern: DNS_LABEL, allowed: "a DNS label" });

    let version = "";
    if (top.raw("version") === undefined) {
        topFail("version", "is required: the version that should be live, e.g. pulumi config set version 1.4.0");
    } else {
        version = topString("version", "", {
            pattern: IMAGE_TAG,
            allowed: "an image tag such as 1.4.0 (letters, digits, '_', '.', '-'; at most 128)",
        });
        if (version === "latest") {
            topFail("version", `must name a real version, got "latest" (it is not reproducible and cannot be rolled back)`);
        }
    }
    const commit = topString("commit", "unknown", { pattern: /^[A-Za-z0-9._-]{1,64}$/, allowed: "a commit id" });

    const img = child("image");
    const image: ImageConfig = {
        repository: img.string("repository", appName, {
            pattern: /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
            allowed: "an image repository without tag, e.g. ghcr.io/acme/goship",
        }),
        push: img.bool("push", false),
        registryServer: img.optionalString("registryServer"),
        registryUsername: img.optionalString("registryUsername"),
        hasRegistryPassword: top.has("registryPassword"),
        context: img.string("context", "./app"),
        platform: img.string("platform", "linux/amd64", { pattern: /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, allowed: "an OS/arch such as linux/amd64" }),
    };
    if (image.push && /^[^/.:]+(\/|$)/.test(image.repository) && !image.repository.includes("/")) {
        img.fail("repository", `must include a registry host when push is true (e.g. ghcr.io/acme/${image.repository}), got ${show(image.repository)}`);
    }
    if (image.push && (!image.registryUsername || !image.hasRegistryPassword)) {
        problems.push(`${topKey("image.registryUsername")} and ${topKey("registryPassword")} (secret) are required when ${topKey("image.push")} is true`);
    }
    img.rejectUnknown();

    const replicas = top.int("replicas", 3, 1, 100);

    const res = child("resources");
    const req = res.child("requests");
    const lim = res.child("limits");
    const resources: ResourcesConfig = {
        requests: {
            cpu: req.string("cpu", "100m", { pattern: CPU_QUANTITY, allowed: "a CPU quantity such as 100m or 0.5" }),
            memory: req.string("memory", "64Mi", { pattern: MEMORY_QUANTITY, allowed: "a memory quantity such as 64Mi" }),
            // Logs (the kubelet keeps ≤ 5 × 10Mi per container by default) plus the 16Mi /tmp.
            ephemeralStorage: req.string("ephemeralStorage", "64Mi", { pattern: MEMORY_QUANTITY, allowed: "a storage quantity such as 64Mi" }),
        },
        limits: {
            cpu: lim.has("cpu") || !res.has("limits")
                ? lim.string("cpu", "500m", { pattern: CPU_QUANTITY, allowed: "a CPU quantity such as 500m" })
                : (lim.raw("cpu"), undefined),
            memory: lim.string("memory", "128Mi", { pattern: MEMORY_QUANTITY, allowed: "a memory quantity such as 128Mi" }),
            ephemeralStorage: lim.string("ephemeralStorage", "256Mi", { pattern: MEMORY_QUANTITY, allowed: "a storage quantity such as 256Mi" }),
        },
    };
    if (parseQuantity(resources.limits.ephemeralStorage) < parseQuantity(resources.requests.ephemeralStorage)) {
        lim.fail("ephemeralStorage", `must be ≥ requests.ephemeralStorage (${resources.requests.ephemeralStorage}), got ${resources.limits.ephemeralStorage}`);
    }
    if (parseQuantity(resources.limits.memory) < parseQuantity(resources.requests.memory)) {
        lim.fail("memory", `must be ≥ requests.memory (${resources.requests.memory}), got ${resources.limits.memory}`);
    }
    if (resources.limits.cpu && parseQuantity(resources.limits.cpu) < parseQuantity(resources.requests.cpu)) {
        lim.fail("cpu", `must be ≥ requests.cpu (${resources.requests.cpu}), got ${resources.limits.cpu}`);
    }
    req.rejectUnknown();
    lim.rejectUnknown();
    res.rejectUnknown();

    const as = child("autoscaling");
    const autoscaling: AutoscalingConfig = {
        enabled: as.bool("enabled", true),
        minReplicas: as.int("minReplicas", 2, 1, 1000),
        maxReplicas: as.int("maxReplicas", 10, 1, 1000),
        cpuUtilization: as.int("cpuUtilization", 50, 1, 100),
        memoryUtilization: as.has("memoryUtilization") ? as.int("memoryUtilization", 80, 1, 100) : (as.raw("memoryUtilization"), undefined),
        scaleDownStabilizationSeconds: as.int("scaleDownStabilizationSeconds", 300, 0, 3600),
    };
    if (autoscaling.maxReplicas < autoscaling.minReplicas) {
        as.fail("maxReplicas", `must be ≥ minReplicas (${autoscaling.minReplicas}), got ${autoscaling.maxReplicas}`);
    }
    as.rejectUnknown();

    const ap = child("app");
    const app: AppSettings = {
        port: ap.int("port", 8080, 1024, 65535),
        shutdownTimeoutSeconds: ap.int("shutdownTimeoutSeconds", 10, 1, 300),
        drainDelaySeconds: ap.int("drainDelaySeconds", 5, 0, 120),
        preStopSleepSeconds: ap.int("preStopSleepSeconds", 5, 0, 120),
        greeting: ap.string("greeting", "hello", { pattern: /^[^\n]{1,200}$/, allowed: "one line of at most 200 characters" }),
        logLevel: ap.string("logLevel", "info", { oneOf: ["debug", "info", "warn", "error"] }) as AppSettings["logLevel"],
        hasApiToken: top.has("apiToken"),
    };
    ap.rejectUnknown();

    const ing = child("ingress");
    let host = "";
    if (!ing.has("host")) {
        ing.fail("host", "is required: the public host name of the service, e.g. goship.example.com");
        ing.raw("host");
    } else {
        host = ing.string("host", "", { pattern: DNS_NAME, allowed: "a DNS name without wildcard, e.g. goship.example.com" });
    }
    const ingress: IngressConfig = {
        host,
        path: ing.string("path", "/", { pattern: /^\/[A-Za-z0-9._~\/-]*$/, allowed: "an absolute URL path such as /" }),
        className: ing.string("className", "nginx", { pattern: DNS_LABEL, allowed: "an IngressClass name" }),
        tlsSecretName: ing.optionalString("tlsSecretName", { pattern: DNS_NAME, allowed: "a Secret name" }),
    };
    ing.rejectUnknown();

    const nx = child("ingressNginx");
    const ingressNginx: IngressNginxConfig = {
        install: nx.bool("install", true),
        namespace: nx.string("namespace", "ingress-nginx", { pattern: DNS_LABEL, allowed: "a DNS label" }),
        chartVersion: nx.string("chartVersion", INGRESS_NGINX_CHART_VERSION, {
            pattern: /^\d+\.\d+\.\d+$/,
            allowed: "an exact chart version such as 4.14.3 (ranges would make previews unreproducible)",
        }),
        replicas: nx.int("replicas", 2, 1, 20),
    };
    nx.rejectUnknown();

    const podSecurityLevel = topString("podSecurityLevel", "restricted", {
        oneOf: ["restricted", "baseline", "privileged"],
    }) as GoshipConfig["podSecurityLevel"];

    const q = child("quota");
    const quota: QuotaConfig = {
        requestsCpu: q.string("requestsCpu", "4", { pattern: CPU_QUANTITY, allowed: "a CPU quantity" }),
        requestsMemory: q.string("requestsMemory", "4Gi", { pattern: MEMORY_QUANTITY, allowed: "a memory quantity" }),
        limitsCpu: q.string("limitsCpu", "16", { pattern: CPU_QUANTITY, allowed: "a CPU quantity" }),
        limitsMemory: q.string("limitsMemory", "8Gi", { pattern: MEMORY_QUANTITY, allowed: "a memory quantity" }),
        requestsEphemeralStorage: q.string("requestsEphemeralStorage", "4Gi", { pattern: MEMORY_QUANTITY, allowed: "a storage quantity" }),
        limitsEphemeralStorage: q.string("limitsEphemeralStorage", "16Gi", { pattern: MEMORY_QUANTITY, allowed: "a storage quantity" }),
        pods: q.int("pods", 60, 1, 10000),
    };
    q.rejectUnknown();

    const release = parseRelease(child("release"), { host: ingress.host, namespace });
    const skipAwait = top.bool("skipAwait", false);
    const spread = parseSpread(child("spread"));
    const egress = parseEgress(child("egress"));
    const observability = parseObservability(child("observability"));
    // Tracing on under default-deny egress: the collector needs its allow, or spans go nowhere.
    const egressWithCollector = withCollector(egress, observability.tracing, namespace,
        (m) => problems.push(`${topKey("observability.tracing.endpoint")} ${m}`));

    top.rejectUnknown();
    if (problems.length > 0) throw new ConfigError(problems.map((p) => p.replace(/^goship\./, "goship:")));

    return {
        stack, appName, namespace, version, commit, image, replicas, resources, autoscaling, app, ingress,
        ingressNginx, podSecurityLevel, quota, release, skipAwait, spread, egress: egressWithCollector, observability,
    };
}

function parseRelease(r: Reader, defaults: { host: string; namespace: string }): ReleaseSettings {
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
    return { router, ...(gatewayApi ? { gatewayApi } : {}), strategy, steps, step, abort, match, scaleDownDelaySeconds, analysis };
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

/** terminationGracePeriodSeconds derived from the app's timings, never typed twice. */
export function terminationGracePeriodSeconds(app: Pick<AppSettings, "preStopSleepSeconds" | "drainDelaySeconds" | "shutdownTimeoutSeconds">): number {
    const marginSeconds = 5;
    return app.preStopSleepSeconds + app.drainDelaySeconds + app.shutdownTimeoutSeconds + marginSeconds;
}
