// Every PromQL expression of the dashboard and the alert rules, run by a real Prometheus
// (Debian's package) scraping real instances of the Go service on 127.0.0.1 under a
// bounded load; the rules also evaluated by that Prometheus and checked by promtool.
//
// Three "namespaces" (target labels, as Kubernetes discovery adds them), each holding the
// same stable instance (1.0.0) and one candidate: `share` a healthy 1.1.0 that receives a
// known 20% of the traffic, `faulty` 1.2.0 failing 30% of its requests, `slow` 1.3.0
// answering in 150 ms.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { dashboard, RATE_WINDOW } from "../components/observability/dashboard";
import { alertRules, AlertSettings, errorRatio, versionP99 } from "../components/observability/promql";
import { load, PROMETHEUS, startGoship, startPrometheus, stopAll, tempDir } from "./support/processes";

const PROMTOOL = "/usr/bin/promtool";
const WINDOW = "30s"; // what Grafana's $__rate_interval stands for here
const settings: AlertSettings = { window: WINDOW, for: "0s", errorRateMargin: 0.05, p99Ratio: 1.5, p99MinSeconds: 0.05, severity: "warning", labels: {} };

async function query(url: string, expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await r.json() as any;
    assert.strictEqual(body.status, "success", `${expr}: ${JSON.stringify(body)}`);
    return body.data.result;
}

/** Sends `count` GETs, every `every`-th one to `b` and the rest to `a`, from 8 workers over about `seconds`. */
async function split(a: string, b: string, count: number, every: number, seconds: number): Promise<{ a: number; b: number; failed: number }> {
    const sent = { a: 0, b: 0, failed: 0 };
    let next = 0;
    const pause = (seconds * 1000 * 8) / count;
    await Promise.all(Array.from({ length: 8 }, async () => {
        for (let i = next++; i < count; i = next++) {
            const toB = i % every === every - 1;
            const r = await fetch(`http://${toB ? b : a}/`);
            await r.arrayBuffer();
            if (r.status !== 200) sent.failed++;
            else if (toB) sent.b++;
            else sent.a++;
            await new Promise((res) => setTimeout(res, pause));
        }
    }));
    return sent;
}

describe("observability PromQL against a real Prometheus", function () {
    this.timeout(120_000);
    let url: string;
    let rulesDir: string;
    let sent: { a: number; b: number };
    const group = (ns: string, candidate: string) => alertRules({ appName: ns, namespace: ns, stable: "1.0.0", candidate, settings });

    before(async function () {
        if (!fs.existsSync(PROMETHEUS)) {
            if (process.env.CI) throw new Error(`${PROMETHEUS} is missing: .ci/run installs Debian's prometheus package`);
            this.skip();
        }
        const [stable, healthy, faulty, slow] = await Promise.all([
            startGoship({ VERSION: "1.0.0" }),
            startGoship({ VERSION: "1.1.0" }),
            startGoship({ VERSION: "1.2.0", FAULT_ERROR_RATE: "0.3" }),
            startGoship({ VERSION: "1.3.0", FAULT_LATENCY: "150ms" }),
        ]);
        // The rules as the component renders them, one file per namespace.
        rulesDir = tempDir("goship-rules-");
        const files = ([["share", "1.1.0"], ["faulty", "1.2.0"], ["slow", "1.3.0"]] as const).map(([ns, v]) => {
            const f = path.join(rulesDir, `${ns}.yml`);
            fs.writeFileSync(f, YAML.stringify({ groups: group(ns, v) }));
            return f;
        });
        url = await startPrometheus([
            { targets: [stable.addr, healthy.addr], labels: { namespace: "share" } },
            { targets: [stable.addr, faulty.addr], labels: { namespace: "faulty" } },
            { targets: [stable.addr, slow.addr], labels: { namespace: "slow" } },
        ], files);
        // One request creates each series; Prometheus must have scraped all of them before
        // the load, so rate() measures the load itself.
        for (const s of [stable, healthy, faulty, slow]) await (await fetch(`http://${s.addr}/`)).arrayBuffer();
        for (const deadline = Date.now() + 20_000; ;) {
            const seen = await query(url, 'count(count by (namespace, version) (http_requests_total{route="/"}))');
            if (Number(seen[0]?.value[1]) === 6) break;
            if (Date.now() > deadline) throw new Error("Prometheus did not scrape every instance within 20 s");
            await new Promise((r) => setTimeout(r, 250));
        }
        await new Promise((r) => setTimeout(r, 1500));
        const [share, , f, sl] = await Promise.all([
            split(stable.addr, healthy.addr, 1500, 5, 5), // 80% stable, 20% candidate
            // Probe traffic, as kubelets send: no panel may count it as user traffic.
            load(`http://${stable.addr}/healthz`, 600, 2, 5).then(() => load(`http://${healthy.addr}/readyz`, 10, 1, 1)),
            load(`http://${faulty.addr}/`, 300, 4, 5),
            load(`http://${slow.addr}/`, 200, 8, 5),
        ]);
        assert.strictEqual(share.failed, 0);
        sent = { a: share.a + 1, b: share.b + 1 }; // with the first request of each
        console.log(`      load: stable ${share.a} + candidate ${share.b} (share), faulty ${f.ok} ok / ${f.failed} failed, slow ${sl.ok}`);
        await new Promise((r) => setTimeout(r, 3000)); // a few more scrapes and rule evaluations
    });

    after(() => stopAll());

    it("every dashboard panel's query returns data", async () => {
        const d = dashboard({
            appName: "goship", namespace: "share", stableVersion: "1.0.0", candidateVersion: "1.1.0", weight: 20,
            tracks: [], prometheusDatasource: "prometheus", lokiDatasource: "loki",
        });
        for (const p of d.panels) {
            for (const t of p.targets) {
                // What Grafana does before sending the query.
                const expr = t.expr.replaceAll("$namespace", "share").replaceAll(RATE_WINDOW, WINDOW)
                    .replaceAll("$candidate", "1.1.0").replaceAll("$weight", "20");
                assert.ok(!expr.includes("$"), `unresolved variable in ${expr}`);
                const result = await query(url, expr);
                console.log(`      ${p.title} [${t.refId}]: ${result.map((x) => `${x.metric.version ?? "-"}=${Number(x.value[1]).toFixed(4)}`).join(" ")}`);
                assert.ok(result.length > 0, `${p.title}: ${expr} returned nothing`);
                if (p.title.endsWith("by version")) {
                    assert.deepStrictEqual(result.map((x) => x.metric.version).sort(), ["1.0.0", "1.1.0"], `${p.title}: one series per version`);
                }
            }
        }
        const pods = await query(url, 'count by (version) (goship_build_info{namespace="share"})');
        assert.deepStrictEqual(pods.map((x) => [x.metric.version, x.value[1]]).sort(), [["1.0.0", "1"], ["1.1.0", "1"]]);
        const success = await query(url, d.panels[1].targets[0].expr.replaceAll("$namespace", "faulty").replaceAll(RATE_WINDOW, WINDOW));
        const faulty = Number(success.find((x) => x.metric.version === "1.2.0")!.value[1]);
        assert.ok(faulty > 0.55 && faulty < 0.85, `faulty success rate ${faulty}`);
    });

    it("the observed-share panel measures the split the load generator sent", async () => {
        const d = dashboard({
            appName: "goship", namespace: "share", stableVersion: "1.0.0", candidateVersion: "1.1.0", weight: 20,
            tracks: [], prometheusDatasource: "prometheus", lokiDatasource: "loki",
        });
        const expr = d.panels[3].targets[0].expr.replaceAll("$namespace", "share").replaceAll(RATE_WINDOW, WINDOW).replaceAll("$candidate", "1.1.0");
        const [r] = await query(url, expr);
        const observed = Number(r.value[1]);
        const actual = sent.b / (sent.a + sent.b);
        const error = Math.abs(observed - actual);
        console.log(`      observed share ${observed.toFixed(4)}, sent ${actual.toFixed(4)} (${sent.b}/${sent.a + sent.b}): error ${(error * 100).toFixed(2)} points`);
        assert.ok(error < 0.02, `observed ${observed}, sent ${actual}`);
    });

    it("each alert expression returns data, and fires exactly for the faulty and the slow candidate", async () => {
        for (const [ns, v] of [["share", "1.1.0"], ["faulty", "1.2.0"], ["slow", "1.3.0"]] as const) {
            const sel = `namespace="${ns}"`;
            // The sides of each comparison return data for every candidate ...
            for (const expr of [errorRatio(sel, WINDOW, v), errorRatio(sel, WINDOW, "1.0.0"), versionP99(sel, WINDOW, v), versionP99(sel, WINDOW, "1.0.0")]) {
                assert.strictEqual((await query(url, expr)).length, 1, `${ns}: ${expr}`);
            }
            // ... and the alert conditions hold only where they should.
            const [err, lat] = group(ns, v)[0].rules;
            const fired = { err: (await query(url, err.expr)).length, lat: (await query(url, lat.expr)).length };
            console.log(`      ${ns} (${v}): error-rate alert condition ${fired.err ? "true" : "false"}, latency alert condition ${fired.lat ? "true" : "false"}`);
            assert.deepStrictEqual(fired, { err: ns === "faulty" ? 1 : 0, lat: ns === "slow" ? 1 : 0 }, ns);
        }
        // Prometheus's own rule engine, on the rendered rule files, agrees.
        const body = await (await fetch(`${url}/api/v1/alerts`)).json() as any;
        const firing = body.data.alerts.filter((a: any) => a.state === "firing").map((a: any) => `${a.labels.namespace}/${a.labels.alertname}/${a.labels.version}`).sort();
        assert.deepStrictEqual(firing, ["faulty/GoshipCandidateErrorRate/1.2.0", "slow/GoshipCandidateLatency/1.3.0"]);
    });

    it("promtool check rules passes on the rendered rules, and promtool test rules proves each alert", () => {
        const rules = path.join(rulesDir, "prod.yml");
        const prod = alertRules({ appName: "goship", namespace: "goship-prod", stable: "1.0.0", candidate: "1.1.0",
            settings: { window: "5m", for: "5m", errorRateMargin: 0.01, p99Ratio: 1.5, p99MinSeconds: 0.05, severity: "warning", labels: {} } });
        fs.writeFileSync(rules, YAML.stringify({ groups: prod }));
        const check = spawnSync(PROMTOOL, ["check", "rules", rules], { encoding: "utf8" });
        assert.strictEqual(check.status, 0, check.stdout + check.stderr);
        assert.match(check.stdout, /SUCCESS: 2 rules found/);

        // Synthetic series, one per minute: 100 requests/min per version, errors and latency as named.
        const base = (v: string) => `namespace="goship-prod",route="/",version="${v}"`;
        const requests = (v: string, errorsPerMin: number) => [
            { series: `http_requests_total{${base(v)},code="200",method="GET"}`, values: `0+${100 - errorsPerMin}x30` },
            { series: `http_requests_total{${base(v)},code="500",method="GET"}`, values: `0+${errorsPerMin}x30` },
        ];
        const latency = (v: string, slow: boolean) => ["0.01", "0.05", "0.1", "0.5", "1", "+Inf"].map((le) => ({
            series: `http_request_duration_seconds_bucket{${base(v)},le="${le}"}`,
            values: `0+${!slow || Number(le) >= 0.5 || le === "+Inf" ? 100 : 0}x30`,
        }));
        const labels = (alertname: string) => ({ alertname, severity: "warning", app: "goship", namespace: "goship-prod", version: "1.1.0" });
        // The annotations as Prometheus expands them: 10 points more 5xx; a p99 in the 0.1..0.5 bucket.
        const expanded = (alertname: string) => Object.fromEntries(Object.entries(prod[0].rules.find((r) => r.alert === alertname)!.annotations)
            .map(([k, v]) => [k, v.replace("{{ $value | humanizePercentage }}", "10%").replace("{{ $value | humanizeDuration }}", "496ms")]));
        const cases: { name: string; errors: number; slow: boolean; firing: string[]; stableErrors?: number }[] = [
            { name: "faulty candidate", errors: 10, slow: false, firing: ["GoshipCandidateErrorRate"] },
            { name: "healthy candidate", errors: 0, slow: false, firing: [] },
            { name: "slow candidate", errors: 0, slow: true, firing: ["GoshipCandidateLatency"] },
            { name: "as bad as stable (1% errors each): no alert", errors: 1, slow: false, firing: [], stableErrors: 1 },
        ];
        const tests = cases.map((t) => ({
            name: t.name,
            interval: "1m",
            input_series: [...requests("1.1.0", t.errors), ...requests("1.0.0", t.stableErrors ?? 0), ...latency("1.1.0", t.slow), ...latency("1.0.0", false)],
            alert_rule_test: ["GoshipCandidateErrorRate", "GoshipCandidateLatency"].map((alertname) => ({
                eval_time: "15m", alertname,
                exp_alerts: t.firing.includes(alertname)
                    ? [{ exp_labels: labels(alertname), exp_annotations: expanded(alertname) }]
                    : [],
            })),
        }));
        const testFile = path.join(rulesDir, "prod.test.yml");
        fs.writeFileSync(testFile, YAML.stringify({ rule_files: [rules], evaluation_interval: "1m", tests }));
        const res = spawnSync(PROMTOOL, ["test", "rules", testFile], { encoding: "utf8" });
        assert.strictEqual(res.status, 0, res.stdout + res.stderr);
        assert.match(res.stdout, /SUCCESS/);
        // A rule file with a broken expression is refused: the check is real.
        fs.writeFileSync(rules, YAML.stringify({ groups: [{ name: "g", rules: [{ ...prod[0].rules[0], expr: "sum(rate(x[5m])" }] }] }));
        assert.notStrictEqual(spawnSync(PROMTOOL, ["check", "rules", rules]).status, 0);
    });
});
