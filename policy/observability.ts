// Checks that an enabled observability config is complete: a ServiceMonitor that scrapes
// something (its selector matches Services of the stack, its port names exist, and it does
// not scrape the same pods twice), alert rules an operator can act on, and dashboards
// Grafana can load.
import { stackPolicy } from "./lib/define";
import { labelSelectorMatches, nameOf, namespaceOf, of, Res, TYPES } from "./lib/k8s";

const sameSelector = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) =>
    !!a && !!b && JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

export const serviceMonitorTargets = stackPolicy({
    name: "servicemonitor-targets",
    description: "Checks that each ServiceMonitor's selector matches Services of the stack, that each endpoint's port name exists on them, and that no two matched Services select the same pods (every series would be scraped twice).",
    severity: "high",
    remediationSteps: "Select the per-track Services (app.kubernetes.io/name plus an Exists on goship.dev/track) and name the Service port (http).",
    check: (rs, _k, report) => {
        for (const sm of of(rs, TYPES.ServiceMonitor)) {
            const spec = sm.props?.spec ?? {};
            const namespaces: (string | undefined)[] = spec.namespaceSelector?.any ? [] : spec.namespaceSelector?.matchNames ?? [namespaceOf(sm)];
            const services = of(rs, TYPES.Service).filter((s) =>
                (spec.namespaceSelector?.any || namespaces.includes(namespaceOf(s))) && labelSelectorMatches(spec.selector, s.props?.metadata?.labels));
            const n = `ServiceMonitor ${nameOf(sm)}`;
            if (services.length === 0) {
                report(`${n} selector ${JSON.stringify(spec.selector ?? {})} matches no Service in ${namespaces.join(", ") || "any namespace"}: nothing would be scraped`, sm.urn);
                continue;
            }
            for (const ep of spec.endpoints ?? []) {
                if (!ep.port) {
                    report(`${n} has an endpoint without a port name`, sm.urn);
                    continue;
                }
                for (const s of services) {
                    if (!(s.props?.spec?.ports ?? []).some((p: any) => p.name === ep.port)) {
                        report(`${n} scrapes port ${ep.port}, which Service ${nameOf(s)} does not name (ports: ${(s.props?.spec?.ports ?? []).map((p: any) => p.name ?? p.port).join(", ")})`, sm.urn);
                    }
                }
            }
            if ((spec.endpoints ?? []).length === 0) report(`${n} has no endpoints`, sm.urn);
            for (let i = 0; i < services.length; i++) {
                for (let j = i + 1; j < services.length; j++) {
                    if (sameSelector(services[i].props?.spec?.selector, services[j].props?.spec?.selector)) {
                        report(`${n} matches Services ${nameOf(services[i])} and ${nameOf(services[j])}, which select the same pods: every series would be scraped twice`, sm.urn);
                    }
                }
            }
        }
    },
});

const DURATION = /^\d+(ms|s|m|h|d)$/;

export const alertRulesActionable = stackPolicy({
    name: "alert-rules-actionable",
    description: "Checks that each PrometheusRule alert has a name, an expression, a `for` duration, a severity label and a summary, and selects its own namespace's series.",
    severity: "medium",
    remediationSteps: "Render the rules with goship's alertRules(), or add the missing field.",
    check: (rs, _k, report) => {
        for (const pr of of(rs, TYPES.PrometheusRule)) {
            for (const g of pr.props?.spec?.groups ?? []) {
                for (const r of g.rules ?? []) {
                    if (r.record) continue;
                    const n = `PrometheusRule ${nameOf(pr)} alert ${r.alert ?? "(unnamed)"}`;
                    if (!r.alert) report(`${n} has no alert name`, pr.urn);
                    if (!r.expr || !String(r.expr).trim()) report(`${n} has no expr`, pr.urn);
                    if (!DURATION.test(r.for ?? "")) report(`${n} has no valid for duration (got ${JSON.stringify(r.for)}): a single bad scrape would page`, pr.urn);
                    if (!r.labels?.severity) report(`${n} has no severity label`, pr.urn);
                    if (!r.annotations?.summary) report(`${n} has no summary annotation`, pr.urn);
                    const ns = namespaceOf(pr);
                    if (ns && r.expr && !String(r.expr).includes(`namespace="${ns}"`)) report(`${n} does not select namespace="${ns}": it would judge other apps' series`, pr.urn);
                }
            }
        }
    },
});

/** ConfigMaps that hold a dashboard: a data value that is a JSON object with panels. */
function dashboards(cm: Res): [string, string][] {
    return Object.entries<string>(cm.props?.data ?? {}).filter(([k]) => k.endsWith(".json"));
}

export const grafanaDashboardComplete = stackPolicy({
    name: "grafana-dashboard-complete",
    description: "Checks that each dashboard ConfigMap carries the Grafana sidecar's label and holds valid dashboard JSON: a uid of at most 40 characters, unique panel ids, and a data source and a query on every panel.",
    severity: "medium",
    remediationSteps: "Set goship:observability.dashboard.labels to the label your Grafana sidecar watches (grafana_dashboard: \"1\" by default).",
    knobs: { sidecarLabel: { type: "string", default: "grafana_dashboard" } },
    check: (rs, knobs, report) => {
        for (const cm of of(rs, TYPES.ConfigMap)) {
            const files = dashboards(cm);
            const labelled = cm.props?.metadata?.labels?.[knobs.sidecarLabel] !== undefined;
            if (files.length === 0) {
                if (labelled) report(`ConfigMap ${nameOf(cm)} has the ${knobs.sidecarLabel} label but no *.json dashboard`, cm.urn);
                continue;
            }
            if (!labelled) {
                if (/dashboard/.test(nameOf(cm))) report(`ConfigMap ${nameOf(cm)} holds ${files.map(([k]) => k).join(", ")} but lacks the ${knobs.sidecarLabel} label: Grafana's sidecar would not load it`, cm.urn);
                continue;
            }
            for (const [file, text] of files) {
                const n = `dashboard ${file} in ConfigMap ${nameOf(cm)}`;
                let d: any;
                try {
                    d = JSON.parse(text);
                } catch (e) {
                    report(`${n} is not valid JSON: ${(e as Error).message}`, cm.urn);
                    continue;
                }
                if (typeof d?.uid !== "string" || d.uid.length === 0 || d.uid.length > 40) report(`${n} needs a uid of 1 to 40 characters (got ${JSON.stringify(d?.uid)})`, cm.urn);
                if (!d?.title) report(`${n} has no title`, cm.urn);
                const ids = new Set<number>();
                for (const p of d?.panels ?? []) {
                    if (ids.has(p.id)) report(`${n} has two panels with id ${p.id}`, cm.urn);
                    ids.add(p.id);
                    if (!p.datasource?.uid) report(`${n} panel "${p.title}" has no data source uid`, cm.urn);
                    if (!(p.targets ?? []).length || (p.targets ?? []).some((t: any) => !t.expr)) report(`${n} panel "${p.title}" has a target without a query`, cm.urn);
                }
                if (!(d?.panels ?? []).length) report(`${n} has no panels`, cm.urn);
            }
        }
    },
});

export const observabilityPolicies = [serviceMonitorTargets, alertRulesActionable, grafanaDashboardComplete];
