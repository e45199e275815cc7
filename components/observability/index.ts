// goship:observability: PromQL and rules (promql.ts), the Grafana dashboard (dashboard.ts)
// and the component that ships them (observability.ts).
import type { ObservabilityConfig } from "../config/observability";

export { Observability, ObservabilityArgs, ReleaseView, inProgressCandidate, serviceMonitorSpec, trackViews } from "./observability";
export { dashboard, DashboardArgs, GrafanaDashboard } from "./dashboard";
export { alertRules, RuleGroup } from "./promql";

/** The app's OpenTelemetry variables (ConfigMap data); none, so tracing stays off, unless configured. */
export function otelEnv(appName: string, c: ObservabilityConfig): Record<string, string> {
    if (!c.tracing) return {};
    return {
        OTEL_EXPORTER_OTLP_ENDPOINT: c.tracing.endpoint,
        OTEL_SERVICE_NAME: appName,
        OTEL_TRACES_SAMPLER: c.tracing.sampler,
        ...(c.tracing.samplerArg !== undefined ? { OTEL_TRACES_SAMPLER_ARG: String(c.tracing.samplerArg) } : {}),
    };
}
