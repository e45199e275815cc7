// The analysis gate without a server: query templating, the verdict table, and the HTTP
// handling (with an injected fetch).
import * as assert from "assert";
import { defaultQueries, evaluate, renderQuery, runAnalysis } from "../components/release/analysis";
import type { AnalysisConfig } from "../components/release/analysis";

const cfg = (extra: Partial<AnalysisConfig> = {}): AnalysisConfig => ({
    prometheusUrl: "http://127.0.0.1:9", window: "1m", minSuccessRate: 0.99, maxP99Seconds: 0.5, minRequests: 100,
    noData: "fail", onFailure: "refuse", queries: {}, ...extra,
});

/** A fake fetch answering each query kind with a value (or an error/status). */
function fakeFetch(answers: { successRate?: string | null; p99?: string | null; requests?: string | null; status?: number; throws?: string; delayMs?: number }): typeof fetch {
    return (async (url: string, init?: { signal?: AbortSignal }) => {
        if (answers.delayMs) {
            await new Promise((resolve, reject) => {
                const t = setTimeout(resolve, answers.delayMs);
                init?.signal?.addEventListener("abort", () => { clearTimeout(t); reject(new Error("The operation was aborted due to timeout")); });
            });
        }
        if (answers.throws) throw new Error(answers.throws);
        const q = decodeURIComponent(String(url).split("query=")[1]);
        const v = q.startsWith("histogram_quantile") ? answers.p99 : q.startsWith("sum(increase") ? answers.requests : answers.successRate;
        const result = v === null || v === undefined ? [] : [{ metric: {}, value: [1700000000, v] }];
        return {
            ok: (answers.status ?? 200) < 400,
            status: answers.status ?? 200,
            json: async () => ({ status: "success", data: { resultType: "vector", result } }),
        } as any;
    }) as any;
}

describe("analysis gate", () => {
    it("renders queries with the version escaped for PromQL and the window", () => {
        assert.strictEqual(renderQuery(defaultQueries().requests, "1.4.0", "5m"), 'sum(increase(http_requests_total{version="1.4.0"}[5m]))');
        assert.strictEqual(renderQuery('x{version="{{version}}"}', 'a"b\\c', "1m"), 'x{version="a\\"b\\\\c"}');
        assert.match(defaultQueries().successRate, /code!~"5\.\."/);
    });

    describe("evaluate", () => {
        const cases: Array<[string, Parameters<typeof evaluate>[0], Partial<AnalysisConfig>, "pass" | "fail" | "hold", RegExp]> = [
            ["healthy", { successRate: 0.999, p99Seconds: 0.05, requests: 500 }, {}, "pass", /passed: success rate 0\.999 \(min 0\.990\), p99 0\.050s \(max 0\.500s\), 500 requests \(min 100\)/],
            ["low success rate", { successRate: 0.9, p99Seconds: 0.05, requests: 500 }, {}, "fail", /success rate below the minimum: success rate 0\.900/],
            ["slow p99", { successRate: 1, p99Seconds: 0.9, requests: 500 }, {}, "fail", /p99 latency above the maximum/],
            ["at the success boundary", { successRate: 0.99, p99Seconds: 0.5, requests: 100 }, {}, "pass", /passed/],
            ["too few requests, noData fail", { successRate: 1, p99Seconds: 0.01, requests: 99 }, {}, "fail", /not enough data \(noData: fail\)/],
            ["no data, noData pass", { successRate: null, p99Seconds: null, requests: null }, { noData: "pass" }, "pass", /not enough data \(noData: pass\).*no data/],
            ["no data, noData hold", { successRate: null, p99Seconds: null, requests: 0 }, { noData: "hold" }, "hold", /noData: hold/],
        ];
        for (const [title, values, extra, verdict, summary] of cases) {
            it(`${title} → ${verdict}`, () => {
                const o = evaluate(values, cfg(extra), "1.4.0");
                assert.strictEqual(o.verdict, verdict);
                assert.match(o.summary, summary);
                assert.match(o.summary, /^analysis of 1\.4\.0 over 1m: /);
                assert.deepStrictEqual(o.values, values);
                assert.strictEqual(o.onFailure, "refuse");
            });
        }
    });

    describe("runAnalysis over HTTP (fake fetch)", () => {
        it("queries the three values and judges them", async () => {
            const o = await runAnalysis(cfg({ onFailure: "abort" }), "1.4.0", { fetch: fakeFetch({ successRate: "0.95", p99: "0.1", requests: "400" }) });
            assert.strictEqual(o.verdict, "fail");
            assert.strictEqual(o.onFailure, "abort");
            assert.deepStrictEqual(o.values, { successRate: 0.95, p99Seconds: 0.1, requests: 400 });
        });
        it("treats an empty vector and NaN as no data", async () => {
            const o = await runAnalysis(cfg({ noData: "hold" }), "1.4.0", { fetch: fakeFetch({ successRate: "NaN", p99: null, requests: null }) });
            assert.strictEqual(o.verdict, "hold");
            assert.deepStrictEqual(o.values, { successRate: null, p99Seconds: null, requests: null });
        });
        it("fails with the reason when Prometheus answers an error, is unreachable or times out", async () => {
            const http500 = await runAnalysis(cfg(), "1.4.0", { fetch: fakeFetch({ status: 500 }) });
            assert.strictEqual(http500.verdict, "fail");
            assert.match(http500.summary, /could not be queried \(HTTP 500/);
            const down = await runAnalysis(cfg(), "1.4.0", { fetch: fakeFetch({ throws: "connect ECONNREFUSED 127.0.0.1:9" }) });
            assert.match(down.summary, /could not be queried \(connect ECONNREFUSED/);
            const start = Date.now();
            const slow = await runAnalysis(cfg(), "1.4.0", { fetch: fakeFetch({ delayMs: 5000 }), timeoutMs: 100 });
            assert.strictEqual(slow.verdict, "fail");
            assert.ok(Date.now() - start < 2000, "the timeout must bound the wait");
        });
        it("uses query overrides", async () => {
            const seen: string[] = [];
            const f = (async (url: string) => { seen.push(decodeURIComponent(url.split("query=")[1])); return { ok: true, status: 200, json: async () => ({ status: "success", data: { result: [{ value: [0, "1"] }] } }) }; }) as any;
            await runAnalysis(cfg({ queries: { requests: 'sum(my_requests{v="{{version}}"})' } }), "2.0.0", { fetch: f });
            assert.ok(seen.includes('sum(my_requests{v="2.0.0"})'));
        });
    });
});
