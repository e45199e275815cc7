import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ObservabilityConfig } from "../config/observability";
import { ReleaseState, trackRoles, Track } from "../release/strategy";
import { dashboard, TrackView } from "./dashboard";
import { alertRules, RuleGroup } from "./promql";

/** What the dashboard and the rules need of the release state. */
export type ReleaseView = Pick<ReleaseState, "stableVersion" | "candidateVersion" | "stableTrack" | "trackVersions" | "phase" | "weight">;

/** The candidate while a release is in progress (canary steps or blue/green preview). */
export function inProgressCandidate(s: ReleaseView): string | undefined {
    return s.phase === "Progressing" || s.phase === "Preview" ? s.candidateVersion : undefined;
}

/** The tracks that run a version, as the dashboard's log links name them. */
export function trackViews(s: ReleaseView): TrackView[] {
    const roles = trackRoles(s as ReleaseState);
    return (Object.keys(roles) as Track[]).sort()
        .filter((t) => roles[t] === "stable" || roles[t] === "candidate")
        .map((t) => ({ track: t, version: s.trackVersions[t] ?? s.stableVersion, role: roles[t] as TrackView["role"] }));
}

/**
 * The ServiceMonitor spec: the app's track Services (those carrying `goship.dev/track`;
 * the main Service selects the same pods and would double every series), port `http`.
 */
export function serviceMonitorSpec(appName: string, namespace: string, interval: string) {
    return {
        selector: {
            matchLabels: { "app.kubernetes.io/name": appName },
            matchExpressions: [{ key: "goship.dev/track", operator: "Exists" }],
        },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{ port: "http", path: "/metrics", interval, scheme: "http" }],
        podTargetLabels: ["goship.dev/track", "app.kubernetes.io/version"],
    };
}

export interface ObservabilityArgs {
    appName: string;
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    config: ObservabilityConfig;
    /** The release state: the dashboard and the rules follow each step. */
    release: pulumi.Input<ReleaseView>;
}

/**
 * Observability makes a release visible: a ServiceMonitor (optional), the Grafana
 * dashboard in a ConfigMap for Grafana's sidecar, and the canary alert rules in a
 * PrometheusRule (optional). Both are rendered again at each release step.
 */
export class Observability extends pulumi.ComponentResource {
    public readonly serviceMonitor?: k8s.apiextensions.CustomResource;
    public readonly dashboardConfigMap?: k8s.core.v1.ConfigMap;
    public readonly prometheusRule?: k8s.apiextensions.CustomResource;
    /** The dashboard JSON (also in the ConfigMap). */
    public readonly dashboardJson?: pulumi.Output<string>;
    /** The rule groups (empty while no release is in progress). */
    public readonly ruleGroups: pulumi.Output<RuleGroup[]>;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:Observability", name, {}, opts);
        const c = args.config;
        const child = { parent: this };
        const ns = pulumi.output(args.namespace);
        const release = pulumi.output(args.release);

        if (c.scrape === "serviceMonitor") {
            this.serviceMonitor = new k8s.apiextensions.CustomResource(`${name}-servicemonitor`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: args.appName, namespace: ns, labels: { ...args.labels, ...c.serviceMonitor.labels } },
                spec: ns.apply((n) => serviceMonitorSpec(args.appName, n, c.serviceMonitor.interval)),
            }, child);
        }

        if (c.dashboard.enabled) {
            this.dashboardJson = pulumi.all([ns, release]).apply(([n, s]) => JSON.stringify(dashboard({
                appName: args.appName, namespace: n, stableVersion: s.stableVersion, candidateVersion: inProgressCandidate(s),
                weight: inProgressCandidate(s) ? s.weight : 0, tracks: trackViews(s),
                prometheusDatasource: c.dashboard.prometheusDatasource, lokiDatasource: c.dashboard.lokiDatasource,
            }), null, 2));
            this.dashboardConfigMap = new k8s.core.v1.ConfigMap(`${name}-dashboard`, {
                metadata: {
                    name: `${args.appName}-dashboard`, namespace: ns, labels: { ...args.labels, ...c.dashboard.labels },
                    annotations: c.dashboard.folder ? { grafana_folder: c.dashboard.folder } : {},
                },
                data: { [`${args.appName}.json`]: this.dashboardJson },
            }, child);
        }

        this.ruleGroups = pulumi.all([ns, release]).apply(([n, s]) => alertRules({
            appName: args.appName, namespace: n, stable: s.stableVersion, candidate: inProgressCandidate(s), settings: c.alerts,
        }));
        if (c.alerts.enabled) {
            this.prometheusRule = new k8s.apiextensions.CustomResource(`${name}-rules`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: `${args.appName}-canary`, namespace: ns, labels: { ...args.labels, ...c.alerts.labels } },
                spec: { groups: this.ruleGroups },
            }, child);
        }

        this.registerOutputs({ // Outputs only, no child resources: see Release (update plans)
            dashboardJson: this.dashboardJson, ruleGroups: this.ruleGroups,
        });
    }
}
