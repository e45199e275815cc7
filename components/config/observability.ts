// `goship:observability`: scraping, the Grafana dashboard, the alert rules and the OTLP
// endpoint of the app's traces. Pure, like schema.ts, which calls it. Every piece is
// opt-in: absent or `{}`, the pods keep their `prometheus.io/*` annotations and nothing
// else is made (Pulumi.yaml declares `{}` as the default).

import type { AlertSettings } from "../observability/promql";
import { DNS_LABEL, Reader, show } from "./validate";

export interface ObservabilityConfig {
    /** Whether any piece beyond the pods' annotations is on (the component is made). */
    enabled: boolean;
    /** `annotations`: the pods' `prometheus.io/*` annotations only; `serviceMonitor`: also a prometheus-operator ServiceMonitor. */
    scrape: "annotations" | "serviceMonitor";
    serviceMonitor: {
        /** Scrape interval, e.g. 15s. */
        interval: string;
        /** Labels the Prometheus's serviceMonitorSelector wants, e.g. {release: kube-prometheus-stack}. */
        labels: Record<string, string>;
    };
    dashboard: {
        enabled: boolean;
        /** Labels Grafana's dashboard sidecar watches for (the chart's default: grafana_dashboard: "1"). */
        labels: Record<string, string>;
        /** Grafana folder (the sidecar's `grafana_folder` annotation), if any. */
        folder?: string;
        /** Data source uids of Prometheus and Loki in Grafana. */
        prometheusDatasource: string;
        lokiDatasource: string;
    };
    alerts: AlertSettings & {
        /** A prometheus-operator PrometheusRule (needs the CRD). */
        enabled: boolean;
    };
    /** The app's OTLP/HTTP traces collector; tracing is off when absent. */
    tracing?: {
        /** Base URL, becomes OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://otel-collector.observability:4318. */
        endpoint: string;
        /** Parsed from the endpoint, for a NetworkPolicy egress rule. */
        host: string;
        port: number;
        sampler: string;
        samplerArg?: number;
    };
}

const DURATION = /^\d+(ms|s|m|h)$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_./-]{0,62}$/;
const SAMPLERS = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;

/** A map of Kubernetes label names to string values. */
function labelMap(r: Reader, field: string, def: Record<string, string>): Record<string, string> {
    const v = r.raw(field);
    if (v === undefined) return def;
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
        r.fail(field, `must be a map of label names to strings, got ${show(v)}`);
        return def;
    }
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
        if (!LABEL_NAME.test(k) || typeof val !== "string" || val.length > 63) {
            r.fail(`${field}.${k}`, `must be a label name with a string value of at most 63 characters, got ${show(val)}`);
            continue;
        }
        out[k] = val;
    }
    return out;
}

export function parseObservability(r: Reader): ObservabilityConfig {
    const scrape = r.string("scrape", "annotations", { oneOf: ["annotations", "serviceMonitor"] }) as ObservabilityConfig["scrape"];

    const sm = r.child("serviceMonitor");
    const serviceMonitor = {
        interval: sm.string("interval", "15s", { pattern: DURATION, allowed: "a Prometheus duration such as 15s" }),
        labels: labelMap(sm, "labels", {}),
    };
    sm.rejectUnknown();

    const d = r.child("dashboard");
    const dashboard = {
        enabled: d.bool("enabled", false),
        labels: labelMap(d, "labels", { grafana_dashboard: "1" }),
        folder: d.optionalString("folder", { pattern: /^[^\n]{1,100}$/, allowed: "one line of at most 100 characters" }),
        prometheusDatasource: d.string("prometheusDatasource", "prometheus", { pattern: /^[A-Za-z0-9_-]{1,40}$/, allowed: "a Grafana data source uid" }),
        lokiDatasource: d.string("lokiDatasource", "loki", { pattern: /^[A-Za-z0-9_-]{1,40}$/, allowed: "a Grafana data source uid" }),
    };
    if (Object.keys(dashboard.labels).length === 0) d.fail("labels", "must hold at least one label, or Grafana's sidecar never finds the dashboard");
    d.rejectUnknown();

    const a = r.child("alerts");
    const alerts = {
        enabled: a.bool("enabled", false),
        labels: labelMap(a, "labels", {}),
        window: a.string("window", "5m", { pattern: DURATION, allowed: "a Prometheus duration such as 5m" }),
        for: a.string("for", "5m", { pattern: DURATION, allowed: "a Prometheus duration such as 5m" }),
        errorRateMargin: a.number("errorRateMargin", 0.01, 0, 1),
        p99Ratio: a.number("p99Ratio", 1.5, 1, 100),
        p99MinSeconds: a.number("p99MinSeconds", 0.05, 0, 3600),
        severity: a.string("severity", "warning", { pattern: DNS_LABEL, allowed: "a severity such as warning or critical" }),
    };
    a.rejectUnknown();

    let tracing: ObservabilityConfig["tracing"];
    if (r.has("tracing")) {
        const t = r.child("tracing");
        const endpoint = t.string("endpoint", "", { pattern: /^https?:\/\/[^\s/?#]+\/?$/, allowed: "an http(s) base URL such as http://otel-collector.observability:4318 (no path: the app adds /v1/traces)" });
        if (!t.has("endpoint")) t.fail("endpoint", "is required when tracing is set, e.g. http://otel-collector.observability:4318");
        const sampler = t.string("sampler", "parentbased_always_on", { oneOf: SAMPLERS });
        const samplerArg = t.has("samplerArg") ? t.number("samplerArg", 1, 0, 1) : (t.raw("samplerArg"), undefined);
        if (samplerArg !== undefined && !sampler.endsWith("traceidratio")) t.fail("samplerArg", `applies only to the traceidratio samplers, not ${show(sampler)}`);
        t.rejectUnknown();
        if (endpoint) {
            const u = new URL(endpoint);
            tracing = { endpoint: endpoint.replace(/\/$/, ""), host: u.hostname, port: u.port ? Number(u.port) : (u.protocol === "https:" ? 443 : 80), sampler, samplerArg };
        }
    }
    r.rejectUnknown();
    const enabled = scrape === "serviceMonitor" || dashboard.enabled || alerts.enabled;
    return { enabled, scrape, serviceMonitor, dashboard, alerts, tracing };
}
