// Parsing of `goship:spread` (how each track's pods spread over nodes and zones) and
// `goship:egress` (what the app's pods may connect to). Pure, like schema.ts, which calls
// these; kept apart so the main schema stays about the app itself.

import { DNS_LABEL, Reader, show } from "./validate";

/** What the scheduler does when a spread constraint cannot be met, or "off" for no constraint. */
export type SpreadMode = "DoNotSchedule" | "ScheduleAnyway" | "off";

export interface SpreadConfig {
    /**
     * Spread over nodes (`kubernetes.io/hostname`). DoNotSchedule by default: a node
     * failure must never take a whole track down. It still schedules on a one-node
     * cluster (one domain has no skew); dev sets ScheduleAnyway anyway.
     */
    nodes: SpreadMode;
    /**
     * Spread over zones (`topology.kubernetes.io/zone`). ScheduleAnyway by default: a node
     * without the zone label (kind, minikube, many on-prem clusters) fails a DoNotSchedule
     * constraint, so the pods would stay Pending.
     */
    zones: SpreadMode;
    /** Largest allowed difference in a track's pod count between two nodes (or zones). */
    maxSkew: number;
}

/** One destination: an IP range, or pods (optionally a namespace's pods) by label. */
export interface EgressPeer {
    cidr?: string;
    /** IP ranges inside `cidr` that stay denied. */
    except?: string[];
    /** Namespace name (matched by its `kubernetes.io/metadata.name` label). */
    namespace?: string;
    podLabels?: Record<string, string>;
}

export interface EgressRule extends EgressPeer {
    /** What it is, for the NetworkPolicy's comment and error messages. */
    name: string;
    ports: number[];
    protocol: "TCP" | "UDP" | "SCTP";
}

export interface EgressConfig {
    /** Default-deny egress plus the allows below. false: no egress policy at all (open). */
    enabled: boolean;
    /** Where cluster DNS runs (port 53 UDP and TCP is allowed to it). */
    dns: EgressPeer;
    /** Further destinations the app really talks to. */
    allow: EgressRule[];
}

const MODES = ["DoNotSchedule", "ScheduleAnyway", "off"] as const;

export function parseSpread(r: Reader): SpreadConfig {
    const spread: SpreadConfig = {
        nodes: r.string("nodes", "DoNotSchedule", { oneOf: MODES }) as SpreadMode,
        zones: r.string("zones", "ScheduleAnyway", { oneOf: MODES }) as SpreadMode,
        maxSkew: r.int("maxSkew", 1, 1, 100),
    };
    r.rejectUnknown();
    return spread;
}

/** An IPv4 or IPv6 CIDR (the apiserver refuses anything else in an ipBlock). */
export const CIDR = /^((\d{1,3}\.){3}\d{1,3}\/(3[0-2]|[12]?\d)|[0-9a-fA-F:]*:[0-9a-fA-F:.]*\/(12[0-8]|1[01]\d|[1-9]?\d))$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function labels(r: Reader, field: string): Record<string, string> | undefined {
    if (!r.has(field)) {
        r.raw(field);
        return undefined;
    }
    const v = r.raw(field);
    if (typeof v !== "object" || v === null || Array.isArray(v) || Object.keys(v).length === 0) {
        r.fail(field, `must be a non-empty map of label → value, got ${show(v)}`);
        return undefined;
    }
    for (const [k, x] of Object.entries(v)) {
        if (!LABEL_KEY.test(k)) r.fail(field, `has a key that is not a label name: ${show(k)}`);
        if (typeof x !== "string" || !LABEL_VALUE.test(x)) r.fail(field, `value of ${k} must be a label value (≤ 63 of letters, digits, '-', '_', '.'), got ${show(x)}`);
    }
    return v as Record<string, string>;
}

/** A peer: exactly one of `cidr` or (`namespace` and/or `podLabels`). */
function peer(r: Reader): EgressPeer {
    const p: EgressPeer = {
        cidr: r.optionalString("cidr", { pattern: CIDR, allowed: "an IP range such as 10.20.0.0/16" }),
        except: undefined,
        namespace: r.optionalString("namespace", { pattern: DNS_LABEL, allowed: "a namespace name" }),
        podLabels: labels(r, "podLabels"),
    };
    if (r.has("except")) {
        const ex = r.raw("except");
        if (!Array.isArray(ex) || !ex.every((x) => typeof x === "string" && CIDR.test(x))) r.fail("except", `must be a list of IP ranges, got ${show(ex)}`);
        else p.except = ex as string[];
        if (!p.cidr) r.fail("except", "needs cidr");
    } else r.raw("except");
    const byCidr = p.cidr !== undefined;
    const byPods = p.namespace !== undefined || p.podLabels !== undefined;
    if (byCidr === byPods) r.fail("cidr", "or namespace/podLabels is required, not both: an IP range, or pods by namespace and labels");
    return p;
}

export function parseEgress(r: Reader): EgressConfig {
    const enabled = r.bool("enabled", true);
    let dns: EgressPeer = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };
    if (r.has("dns")) {
        const d = r.child("dns");
        dns = peer(d);
        d.rejectUnknown();
    } else r.raw("dns");
    const allow: EgressRule[] = [];
    const list = r.raw("allow");
    if (list !== undefined && !Array.isArray(list)) r.fail("allow", `must be a list of destinations, got ${show(list)}`);
    const names = new Set<string>();
    for (const [i, item] of (Array.isArray(list) ? list : []).entries()) {
        const a = Reader.of(`${r.key}.allow[${i}]`, item, r.problems);
        const name = a.string("name", "", { pattern: /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/, allowed: "a short lowercase name such as postgres" });
        if (!a.has("name")) a.fail("name", "is required: what this destination is, e.g. postgres");
        if (names.has(name)) a.fail("name", `must be unique, got ${show(name)} twice`);
        names.add(name);
        const to = peer(a);
        const ports = a.intList("ports", [], 1, 65535);
        if (!a.has("ports")) a.fail("ports", "is required: the destination ports, e.g. [5432] (an allow without ports would open every port)");
        const protocol = a.string("protocol", "TCP", { oneOf: ["TCP", "UDP", "SCTP"] }) as EgressRule["protocol"];
        a.rejectUnknown();
        allow.push({ name, ...to, ports, protocol });
    }
    r.rejectUnknown();
    return { enabled, dns, allow };
}

/** The name of the egress allow goship adds for the OTLP traces collector. */
export const COLLECTOR_ALLOW = "otlp-collector";

/**
 * The destination of an OTLP collector at `host:port`, as an egress allow, or a reason it
 * cannot be one. NetworkPolicies match IPs and labels, not host names, so:
 * - an IP literal becomes a /32 (/128) range;
 * - a Service name (`collector` in the app's namespace, `collector.ns`, `collector.ns.svc…`)
 *   becomes every pod of that namespace on the port (the collector's pod labels are not
 *   known here; a Service port must equal its targetPort, as for the usual 4317/4318);
 * - any other host name is outside the cluster: the user must allow its IP range.
 */
export function collectorEgress(collector: { host: string; port: number }, ownNamespace: string): EgressRule | string {
    const host = collector.host.replace(/^\[|\]$/g, "");
    const base = { name: COLLECTOR_ALLOW, ports: [collector.port], protocol: "TCP" as const };
    if (/^(\d{1,3}\.){3}\d{1,3}$/.test(host)) return { ...base, cidr: `${host}/32` };
    if (host.includes(":")) return { ...base, cidr: `${host}/128` };
    const labels = host.split(".");
    if (labels.length === 1) return { ...base, namespace: ownNamespace };
    if (labels.length === 2 || labels[2] === "svc") return { ...base, namespace: labels[1] };
    return `${collector.host} is not a cluster Service name, and a NetworkPolicy cannot allow a host name: add goship:egress.allow [{name: ${COLLECTOR_ALLOW}, cidr: <its IP range>, ports: [${collector.port}]}] (or set goship:egress.enabled false)`;
}

/**
 * Egress config plus the collector's allow (tracing on), unless the user already allows it
 * by that name. A collector no NetworkPolicy can express is a config problem, reported
 * against `field`: with egress denied, its traces would silently go nowhere.
 */
export function withCollector(
    egress: EgressConfig, collector: { host: string; port: number } | undefined, ownNamespace: string,
    fail: (message: string) => void,
): EgressConfig {
    if (!collector || !egress.enabled || egress.allow.some((a) => a.name === COLLECTOR_ALLOW)) return egress;
    const rule = collectorEgress(collector, ownNamespace);
    if (typeof rule === "string") {
        fail(rule);
        return egress;
    }
    return { ...egress, allow: [...egress.allow, rule] };
}
