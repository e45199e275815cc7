// The Grafana dashboard of a release, as Grafana's dashboard JSON model (schemaVersion
// 39). Pure: the component puts it in a ConfigMap for Grafana's dashboard sidecar. The
// type below is a subset of @grafana/schema's `Dashboard`; a test assigns one to the other.

import { createHash } from "crypto";
import * as q from "./promql";

// A type alias, not an interface: Grafana types targets as Record<string, unknown>.
export type DashboardTarget = { refId: string; expr: string; legendFormat: string; datasource: { type: string; uid: string } };
export interface DashboardPanel {
    id: number;
    type: "timeseries" | "stat";
    title: string;
    description: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource: { type: string; uid: string };
    targets: DashboardTarget[];
    fieldConfig: { defaults: { unit?: string; min?: number; max?: number }; overrides: never[] };
    options: Record<string, unknown>;
}
export interface DashboardVariable {
    name: string; label: string; type: "constant" | "custom"; query: string; hide: 0 | 2;
    current: { text: string; value: string };
    options: { text: string; value: string; selected: boolean }[];
}
export interface DashboardLinkModel {
    title: string; type: "link"; url: string; icon: "doc"; tooltip: string; targetBlank: boolean;
    asDropdown: boolean; includeVars: boolean; keepTime: boolean; tags: string[];
}
export interface GrafanaDashboard {
    uid: string;
    title: string;
    description: string;
    tags: string[];
    timezone: string;
    editable: boolean;
    schemaVersion: number;
    refresh: string;
    time: { from: string; to: string };
    templating: { list: DashboardVariable[] };
    annotations: { list: never[] };
    links: DashboardLinkModel[];
    panels: DashboardPanel[];
}

/** One track as the release state sees it. */
export interface TrackView { track: string; version: string; role: "stable" | "candidate" }

export interface DashboardArgs {
    appName: string;
    namespace: string;
    stableVersion: string;
    /** Absent when no release is in progress: the share panels then show stable. */
    candidateVersion?: string;
    /** The weight the release configured for the candidate, 0..100. */
    weight: number;
    tracks: TrackView[];
    prometheusDatasource: string;
    lokiDatasource: string;
}

/** Grafana's rate window variable: at least four scrape intervals. */
export const RATE_WINDOW = "$__rate_interval";
/** The selector every panel uses; Grafana fills in the variable. */
export const DASHBOARD_SELECTOR = 'namespace="$namespace"';

function variable(name: string, label: string, type: DashboardVariable["type"], values: string[], current: string): DashboardVariable {
    return {
        name, label, type, query: values.join(","), hide: type === "constant" ? 2 : 0,
        current: { text: current, value: current },
        options: values.map((v) => ({ text: v, value: v, selected: v === current })),
    };
}

/** The Explore URL of a Loki query over the last hour. */
export function exploreUrl(lokiDatasource: string, logql: string): string {
    const left = JSON.stringify({ datasource: lokiDatasource, queries: [{ refId: "A", expr: logql }], range: { from: "now-1h", to: "now" } });
    return `/explore?orgId=1&left=${encodeURIComponent(left)}`;
}

export function dashboard(a: DashboardArgs): GrafanaDashboard {
    const prom = { type: "prometheus", uid: a.prometheusDatasource };
    const sel = DASHBOARD_SELECTOR;
    const W = RATE_WINDOW;
    let id = 0;
    const panel = (title: string, description: string, gridPos: DashboardPanel["gridPos"], unit: string,
        targets: { expr: string; legend: string }[], extra: Partial<DashboardPanel> = {}): DashboardPanel => ({
        id: ++id, type: "timeseries", title, description, gridPos, datasource: prom,
        targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), expr: t.expr, legendFormat: t.legend, datasource: prom })),
        fieldConfig: { defaults: { unit }, overrides: [] },
        options: { legend: { displayMode: "table", placement: "bottom", calcs: ["lastNotNull"] }, tooltip: { mode: "multi", sort: "none" } },
        ...extra,
    });
    const versions = [...new Set([a.stableVersion, ...(a.candidateVersion ? [a.candidateVersion] : [])])];
    const candidate = a.candidateVersion ?? a.stableVersion;
    return {
        uid: `goship-${createHash("sha256").update(`${a.namespace}/${a.appName}`).digest("hex").slice(0, 16)}`,
        title: `${a.appName} (${a.namespace}): candidate vs stable`,
        description: `Release of ${a.appName} in ${a.namespace}, by version. Rendered by goship at each release step.`,
        tags: [...new Set(["goship", a.appName])],
        timezone: "utc",
        editable: false,
        schemaVersion: 39,
        refresh: "10s",
        time: { from: "now-30m", to: "now" },
        templating: {
            list: [
                variable("namespace", "Namespace", "constant", [a.namespace], a.namespace),
                variable("candidate", "Candidate version", "custom", [...versions].reverse(), candidate),
                variable("weight", "Configured weight (%)", "constant", [String(a.weight)], String(a.weight)),
            ],
        },
        annotations: { list: [] },
        links: a.tracks.map((t) => ({
            title: `Logs of ${t.version} (${t.role}, track ${t.track})`,
            type: "link" as const,
            url: exploreUrl(a.lokiDatasource, `{namespace="${a.namespace}", pod=~"${a.appName}-${t.track}-.*"}`),
            icon: "doc" as const,
            tooltip: "Loki: this version's pods. Lines of traced requests carry trace_id and span_id.",
            targetBlank: true, asDropdown: false, includeVars: false, keepTime: true, tags: [],
        })),
        panels: [
            panel("Request rate by version", "Requests per second to the app's routes (probes and scrapes excluded).",
                { x: 0, y: 0, w: 12, h: 8 }, "reqps", [{ expr: q.requestRate(sel, W), legend: "{{version}}" }]),
            panel("Success rate by version", "Share of answers that are not 5xx.",
                { x: 12, y: 0, w: 12, h: 8 }, "percentunit", [{ expr: q.successRate(sel, W), legend: "{{version}}" }],
                { fieldConfig: { defaults: { unit: "percentunit", min: 0, max: 1 }, overrides: [] } }),
            panel("p99 latency by version", "99th percentile of request duration, from the app's histogram.",
                { x: 0, y: 8, w: 12, h: 8 }, "s", [{ expr: q.p99(sel, W), legend: "{{version}}" }]),
            panel("Candidate traffic share: observed vs configured",
                "Observed: the candidate's requests ÷ all requests, i.e. the weight the router really applied. Configured: the release step's weight.",
                { x: 12, y: 8, w: 12, h: 8 }, "percentunit", [
                    { expr: q.observedShare(sel, W, "$candidate"), legend: "observed ($candidate)" },
                    { expr: "vector($weight / 100)", legend: "configured" },
                ], { fieldConfig: { defaults: { unit: "percentunit", min: 0, max: 1 }, overrides: [] } }),
            panel("Live pods by version", "Instances answering scrapes, per version (stable and candidate track).",
                { x: 0, y: 16, w: 24, h: 6 }, "short", [{ expr: q.livePods(sel), legend: "{{version}}" }]),
        ],
    };
}
