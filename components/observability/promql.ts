// Every PromQL expression goship hands to Grafana and to Prometheus's rule engine, in one
// pure module. test/observability.prometheus.test.ts runs each of them against a real
// Prometheus scraping real instances of the app.

/** Routes that carry no user traffic: probes and scrapes would skew every ratio. */
export const USER_TRAFFIC = 'route!~"/healthz|/readyz|/startupz|/metrics"';

/** Matchers of one app's series, e.g. `namespace="goship-prod"` (Grafana: `namespace="$namespace"`). */
export type Selector = string;

const reqs = (sel: Selector, extra = "") => `http_requests_total{${sel},${USER_TRAFFIC}${extra}}`;
const buckets = (sel: Selector, extra = "") => `http_request_duration_seconds_bucket{${sel},${USER_TRAFFIC}${extra}}`;
const v = (version: string) => `,version="${version}"`;

/** Requests per second, one series per version. */
export function requestRate(sel: Selector, window: string): string {
    return `sum by (version) (rate(${reqs(sel)}[${window}]))`;
}

/** Share of non-5xx answers per version; a version answering only 5xx shows 0, not a gap. */
export function successRate(sel: Selector, window: string): string {
    const all = `sum by (version) (rate(${reqs(sel)}[${window}]))`;
    return `(sum by (version) (rate(${reqs(sel, ',code!~"5.."')}[${window}])) or ${all} * 0) / ${all}`;
}

/** p99 latency per version, from the histogram. */
export function p99(sel: Selector, window: string): string {
    return `histogram_quantile(0.99, sum by (version, le) (rate(${buckets(sel)}[${window}])))`;
}

/** The candidate's requests ÷ all requests: the weight the router really applied. */
export function observedShare(sel: Selector, window: string, candidate: string): string {
    return `sum(rate(${reqs(sel, v(candidate))}[${window}])) / sum(rate(${reqs(sel)}[${window}]))`;
}

/** Live instances per version (each exports goship_build_info 1 while it is scraped). */
export function livePods(sel: Selector): string {
    return `count by (version) (goship_build_info{${sel}})`;
}

/** One version's 5xx ratio as a single series; no 5xx at all is 0 rather than no data. */
export function errorRatio(sel: Selector, window: string, version: string): string {
    return `((sum(rate(${reqs(sel, v(version) + ',code=~"5.."')}[${window}])) or vector(0)) / sum(rate(${reqs(sel, v(version))}[${window}])))`;
}

/** One version's p99 as a single series. */
export function versionP99(sel: Selector, window: string, version: string): string {
    return `histogram_quantile(0.99, sum by (le) (rate(${buckets(sel, v(version))}[${window}])))`;
}

/** The alert rules' knobs (`goship:observability.alerts`, without `enabled`). */
export interface AlertSettings {
    labels: Record<string, string>;
    /** Rate window of the expressions and how long a condition must hold, e.g. 5m. */
    window: string;
    for: string;
    /** Fire when the candidate's error ratio exceeds stable's by more than this (0..1). */
    errorRateMargin: number;
    /** Fire when the candidate's p99 exceeds stable's times this ratio ... */
    p99Ratio: number;
    /** ... and is above this many seconds (so sub-millisecond noise never pages). */
    p99MinSeconds: number;
    severity: string;
}

export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export interface RuleGroup {
    name: string;
    rules: AlertRule[];
}

/**
 * The canary alerts while a release is in progress: the candidate's error ratio above
 * stable's by more than the margin, or its p99 above stable's times the ratio (and above a
 * floor). No release in progress, no rules: the group is rendered with each release step.
 */
export function alertRules(args: {
    appName: string; namespace: string; stable: string; candidate?: string; settings: AlertSettings;
}): RuleGroup[] {
    const { appName, namespace, stable, candidate, settings: s } = args;
    if (!candidate || candidate === stable) return [];
    const sel = `namespace="${namespace}"`;
    const labels = { severity: s.severity, app: appName, namespace, ...s.labels };
    const versions = `candidate ${candidate} vs stable ${stable}`;
    return [{
        name: `${appName}-canary`,
        rules: [
            {
                alert: "GoshipCandidateErrorRate",
                expr: `${errorRatio(sel, s.window, candidate)} - ${errorRatio(sel, s.window, stable)} > ${s.errorRateMargin}`,
                for: s.for,
                labels: { ...labels, version: candidate },
                annotations: {
                    summary: `${appName}: the candidate's error ratio exceeds stable's by more than ${s.errorRateMargin}`,
                    description: `${versions} in ${namespace}: the 5xx ratio is {{ $value | humanizePercentage }} above stable's over ${s.window}. Consider aborting the release (goship:release.abort true).`,
                },
            },
            {
                alert: "GoshipCandidateLatency",
                expr: `${versionP99(sel, s.window, candidate)} > ${s.p99Ratio} * ${versionP99(sel, s.window, stable)} and ${versionP99(sel, s.window, candidate)} > ${s.p99MinSeconds}`,
                for: s.for,
                labels: { ...labels, version: candidate },
                annotations: {
                    summary: `${appName}: the candidate's p99 latency regressed (over ${s.p99Ratio}× stable's)`,
                    description: `${versions} in ${namespace}: candidate p99 {{ $value | humanizeDuration }} over ${s.window}. Consider aborting the release (goship:release.abort true).`,
                },
            },
        ],
    }];
}
