// The Prometheus analysis gate: before a canary advances (and before a promotion or a
// blue/green switch), the candidate's success rate and p99 latency are queried by its
// `version` label and compared with the thresholds. Pure apart from the HTTP query.
import type { AnalysisOutcome } from "./strategy";

export type { AnalysisOutcome };

/** `goship:release.analysis`: the Prometheus gate's query, thresholds and what a failure does. */
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

export interface Measured {
    successRate: number | null;
    p99Seconds: number | null;
    requests: number | null;
}

export function defaultQueries(): { successRate: string; p99: string; requests: string } {
    return {
        successRate: 'sum(rate(http_requests_total{version="{{version}}",code!~"5.."}[{{window}}])) / sum(rate(http_requests_total{version="{{version}}"}[{{window}}]))',
        p99: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{version="{{version}}"}[{{window}}])))',
        requests: 'sum(increase(http_requests_total{version="{{version}}"}[{{window}}]))',
    };
}

/** Fills `{{version}}` (escaped for a PromQL string) and `{{window}}` into a query template. */
export function renderQuery(template: string, version: string, window: string): string {
    const escaped = version.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
    return template.split("{{version}}").join(escaped).split("{{window}}").join(window);
}

const fmt = (v: number | null, digits: number) => (v === null ? "no data" : v.toFixed(digits));

/** Judges measured values against the thresholds and the no-data policy. */
export function evaluate(m: Measured, cfg: AnalysisConfig, version: string): AnalysisOutcome {
    const values = { successRate: m.successRate, p99Seconds: m.p99Seconds, requests: m.requests };
    const head = `analysis of ${version} over ${cfg.window}`;
    const facts = `success rate ${fmt(m.successRate, 3)} (min ${cfg.minSuccessRate.toFixed(3)}), p99 ${fmt(m.p99Seconds, 3)}s (max ${cfg.maxP99Seconds.toFixed(3)}s), ${fmt(m.requests, 0)} requests (min ${cfg.minRequests})`;
    const out = (verdict: AnalysisOutcome["verdict"], why: string): AnalysisOutcome =>
        ({ verdict, onFailure: cfg.onFailure, values, summary: `${head}: ${why}: ${facts}` });
    if (m.requests === null || m.requests < cfg.minRequests || m.successRate === null) {
        const why = `not enough data (noData: ${cfg.noData})`;
        return out(cfg.noData === "pass" ? "pass" : cfg.noData === "hold" ? "hold" : "fail", why);
    }
    if (m.successRate < cfg.minSuccessRate) return out("fail", "success rate below the minimum");
    if (m.p99Seconds !== null && m.p99Seconds > cfg.maxP99Seconds) return out("fail", "p99 latency above the maximum");
    return out("pass", "passed");
}

/** One instant query; null when the vector is empty or NaN. */
async function query(base: string, promql: string, f: typeof fetch, timeoutMs: number): Promise<number | null> {
    const url = `${base.replace(/\/$/, "")}/api/v1/query?query=${encodeURIComponent(promql)}`;
    const res = await f(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
    const body: any = await res.json();
    if (body.status !== "success") throw new Error(`query failed: ${body.error ?? JSON.stringify(body).slice(0, 200)}`);
    const first = body.data?.result?.[0];
    const v = first ? Number(first.value?.[1]) : NaN;
    return Number.isFinite(v) ? v : null;
}

export async function runAnalysis(cfg: AnalysisConfig, version: string, opts: { fetch?: typeof fetch; timeoutMs?: number } = {}): Promise<AnalysisOutcome> {
    const f = opts.fetch ?? fetch;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const q = { ...defaultQueries(), ...Object.fromEntries(Object.entries(cfg.queries ?? {}).filter(([, v]) => v)) };
    try {
        const [successRate, p99Seconds, requests] = await Promise.all([
            query(cfg.prometheusUrl, renderQuery(q.successRate, version, cfg.window), f, timeoutMs),
            query(cfg.prometheusUrl, renderQuery(q.p99, version, cfg.window), f, timeoutMs),
            query(cfg.prometheusUrl, renderQuery(q.requests, version, cfg.window), f, timeoutMs),
        ]);
        return evaluate({ successRate, p99Seconds, requests }, cfg, version);
    } catch (e) {
        return {
            verdict: "fail", onFailure: cfg.onFailure, values: { successRate: null, p99Seconds: null, requests: null },
            summary: `analysis of ${version}: Prometheus at ${cfg.prometheusUrl} could not be queried (${(e as Error).message})`,
        };
    }
}
