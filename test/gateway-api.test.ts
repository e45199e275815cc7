// The Gateway API router without mocks: the HTTPRoute at every canary weight, with and
// without testers, blue/green, the cookie refusal, schema validity of every route it can
// write; the router-change refusal; the `release.router`/`release.gatewayApi` config; and
// the offline render end to end (a canary rehearsal's weights, the nginx → gatewayApi
// migration plan, the refusal mid-rollout).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseConfig } from "../components/config/schema";
import { ConfigError } from "../components/config/validate";
import { computeRelease, ReleaseInputs } from "../components/release/provider";
import type { HTTPRouteObject, MatchRoute, RouteRequest } from "../components/release/router";
import { routerChangeRefusal } from "../components/release/router-change";
import { routerFor, ROUTERS } from "../components/release/routers";
import { gatewayApiRouter, headerMatch } from "../components/release/routers/gateway-api";
import { MockEngine } from "../offline/engine";
import { T } from "../offline/results";
import { ROOT } from "../offline/stack-config";
import { validateObject } from "./support/k8s-schema";

const config = { kind: "gatewayApi" as const, parentRefs: [{ name: "eg", namespace: "gateways", sectionName: "https" }], hostnames: ["shop.example.com"] };
const router = gatewayApiRouter(config);
const req = (over: Partial<RouteRequest> = {}): RouteRequest => ({
    appName: "shop", host: "shop.example.com", path: "/", strategy: "canary",
    mainService: "shop", stableService: "shop-blue", otherService: "shop-green", servicePort: { name: "http", number: 80 },
    weight: 0, ...over,
});
const routeOf = (r: RouteRequest): HTTPRouteObject => {
    const objs = router.routes(r);
    assert.strictEqual(objs.length, 1);
    return objs[0] as HTTPRouteObject;
};
const backends = (o: HTTPRouteObject, rule: string) => o.spec.rules.find((r) => r.name === rule)?.backendRefs.map((b) => `${b.name}=${b.weight}`);
/** The object as the Release component writes it (metadata from the Release, spec from the router). */
const manifest = (o: HTTPRouteObject) => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: o.name, namespace: "shop" }, spec: o.spec });

describe("gatewayApi router", () => {
    it("between releases: one split rule, the stable Service alone (no parked zero-weight canary)", () => {
        const o = routeOf(req());
        assert.deepStrictEqual(o.spec.rules.map((r) => r.name), ["split"]);
        assert.deepStrictEqual(backends(o, "split"), ["shop-blue=100"]);
        assert.deepStrictEqual(o.spec.rules[0].matches, [{ path: { type: "PathPrefix", value: "/" } }]);
        assert.deepStrictEqual(o.spec.parentRefs, config.parentRefs);
        assert.deepStrictEqual(o.spec.hostnames, ["shop.example.com"]);
    });

    for (const w of [5, 20, 50]) {
        it(`canary at ${w}%: stable ${100 - w}, candidate ${w}`, () => {
            assert.deepStrictEqual(backends(routeOf(req({ weight: w })), "split"), [`shop-blue=${100 - w}`, `shop-green=${w}`]);
        });
    }

    it("testers: a header rule to the candidate beside the weighted split, Exact by default", () => {
        const o = routeOf(req({ weight: 20, match: { header: "X-Canary", headerValue: "always" } }));
        assert.deepStrictEqual(o.spec.rules.map((r) => r.name), ["testers", "split"]);
        assert.deepStrictEqual(o.spec.rules[0].matches, [{ path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "X-Canary", value: "always" }] }]);
        assert.deepStrictEqual(backends(o, "testers"), ["shop-green=1"]);
        assert.deepStrictEqual(backends(o, "split"), ["shop-blue=80", "shop-green=20"]);
        // a header pattern is a RegularExpression match; a bare header matches "always", as on nginx
        assert.deepStrictEqual(headerMatch({ header: "X-Canary", headerPattern: "^qa$" }), { type: "RegularExpression", name: "X-Canary", value: "^qa$" });
        assert.deepStrictEqual(headerMatch({ header: "X-Canary" }), { type: "Exact", name: "X-Canary", value: "always" });
    });

    it("abort: the match is gone and the stable Service takes everything", () => {
        assert.deepStrictEqual(routeOf(req({ weight: 0, match: undefined })).spec.rules.map((r) => `${r.name}:${backends(routeOf(req()), r.name)}`), ["split:shop-blue=100"]);
    });

    it("blue/green: the split rule's single backendRef moves from one colour to the other; no testers rule", () => {
        const before = routeOf(req({ strategy: "blueGreen", weight: 0, match: { header: "X-Canary", headerValue: "1" } }));
        const after = routeOf(req({ strategy: "blueGreen", stableService: "shop-green", otherService: "shop-blue" }));
        assert.deepStrictEqual(before.spec.rules.map((r) => r.name), ["split"]);
        assert.deepStrictEqual(backends(before, "split"), ["shop-blue=100"]);
        assert.deepStrictEqual(backends(after, "split"), ["shop-green=100"]);
    });

    it("refuses cookie routing with the reason, and out-of-range weights", () => {
        assert.throws(() => router.routes(req({ weight: 5, match: { cookie: "canary" } })), /match\.cookie is not supported with router gatewayApi \(Gateway API has no cookie match/);
        assert.throws(() => router.routes(req({ weight: 101 })), /canary weight must be an integer in \[0, 100\], got 101/);
        assert.throws(() => router.routes(req({ weight: 2.5 })), /got 2\.5/);
    });

    it("every route it can write is schema-valid Gateway API, and is exactly the objects it declares", () => {
        const matches: Array<MatchRoute | undefined> = [undefined, { header: "X-Canary" }, { header: "X-Canary", headerValue: "always" }, { header: "X-Canary", headerPattern: "^(qa|dev)$" }];
        let checked = 0;
        for (const strategy of ["canary", "blueGreen"] as const) {
            for (let w = 0; w <= 100; w++) {
                for (const match of matches) {
                    const objs = router.routes(req({ strategy, weight: w, match }));
                    assert.deepStrictEqual(objs.map((o) => ({ kind: o.kind, name: o.name, role: o.role })), router.objects("shop", strategy));
                    const problems = validateObject(manifest(objs[0] as HTTPRouteObject));
                    assert.deepStrictEqual(problems, [], `${strategy} ${w}% ${JSON.stringify(match)}`);
                    checked++;
                }
            }
        }
        assert.strictEqual(checked, 2 * 101 * 4);
        // the validator is not a rubber stamp
        const bad = manifest(routeOf(req({ weight: 5 })));
        bad.spec.rules[0].backendRefs[0].weight = -1;
        assert.notDeepStrictEqual(validateObject(bad), []);
    });

    it("the registry builds each kind from its config; the nginx router keeps its parked canary Ingress", () => {
        assert.deepStrictEqual(Object.keys(ROUTERS), ["nginx", "gatewayApi"]);
        assert.strictEqual(routerFor(config).kind, "gatewayApi");
        const nginx = routerFor({ kind: "nginx", className: "nginx" });
        assert.deepStrictEqual(nginx.objects("shop", "canary").map((o) => o.name), ["shop", "shop-canary"]);
        assert.deepStrictEqual(nginx.routes(req()).map((o) => o.name), ["shop", "shop-canary"]);
        assert.deepStrictEqual(nginx.objects("shop", "blueGreen").map((o) => o.name), ["shop"]);
    });
});

describe("router change (nginx ↔ gatewayApi)", () => {
    const settled = { phase: "Stable" as const, status: "stable 1.0.0" };
    it("is allowed while the release is settled and nothing else moves", () => {
        for (const phase of ["Stable", "Promoted", "Aborted"] as const) assert.strictEqual(routerChangeRefusal("nginx", "gatewayApi", { phase, status: "s" }, false), undefined);
        assert.strictEqual(routerChangeRefusal("nginx", "nginx", { phase: "Progressing", status: "s" }, true), undefined);
        assert.strictEqual(routerChangeRefusal("nginx", "gatewayApi", undefined, true), undefined); // first deploy
    });
    it("is refused mid-rollout and together with a release move, with the reason", () => {
        for (const phase of ["Progressing", "Preview", "Switched"] as const) {
            assert.match(routerChangeRefusal("nginx", "gatewayApi", { phase, status: "canary 1.1.0 step 2/4: 20% · stable 1.0.0" }, false)!,
                /release\.router cannot change from nginx to gatewayApi while the release is in progress \(canary 1\.1\.0 step 2\/4: 20% · stable 1\.0\.0\)/);
        }
        assert.match(routerChangeRefusal("gatewayApi", "nginx", settled, true)!, /in the same update as a release move: change the router alone/);
    });
    it("the provider's check refuses it from the stored state", async () => {
        const desired = { version: "1.0.0", strategy: "canary" as const, steps: [5, 20, 50, 100], step: 0, abort: false, scaleDownDelaySeconds: 600 };
        const news = (over: Partial<ReleaseInputs> = {}): ReleaseInputs => ({ desired, imageRef: "shop:1.0.0", now: "2026-01-01T00:00:00Z", ...over });
        const first = await computeRelease(undefined, news());
        assert.ok(first.ok);
        const migrated = await computeRelease(first.outputs, news({ router: "gatewayApi" }));
        assert.ok(migrated.ok, "a settled release may change router");
        const started = await computeRelease(first.outputs, news({ desired: { ...desired, version: "1.1.0" }, imageRef: "shop:1.1.0" }));
        assert.ok(started.ok);
        const mid = await computeRelease(started.outputs, news({ desired: { ...desired, version: "1.1.0" }, imageRef: "shop:1.1.0", router: "gatewayApi" }));
        assert.ok(!mid.ok && /cannot change from nginx to gatewayApi while the release is in progress \(canary 1\.1\.0 step 1\/4: 5%/.test(mid.reason), JSON.stringify(mid));
    });
});

describe("config: release.router and release.gatewayApi", () => {
    const base = () => ({ version: "1.0.0", ingress: { host: "shop.example.com" } });
    const gw = (gatewayApi: unknown, release: Record<string, unknown> = {}) => ({ ...base(), release: { router: "gatewayApi", gatewayApi, ...release } });
    const problems = (raw: Record<string, unknown>): string[] => {
        try {
            parseConfig(raw, "test");
        } catch (e) {
            assert.ok(e instanceof ConfigError);
            return e.problems;
        }
        return assert.fail("expected the config to be refused");
    };

    it("defaults to nginx with no gatewayApi settings", () => {
        const c = parseConfig(base(), "prod");
        assert.strictEqual(c.release.router, "nginx");
        assert.strictEqual(c.release.gatewayApi, undefined);
    });

    it("fills hostnames from ingress.host and the data-plane namespace from the first parentRef", () => {
        const c = parseConfig(gw({ parentRefs: [{ name: "eg", namespace: "envoy-gateway-system", sectionName: "https" }] }), "prod");
        assert.deepStrictEqual(c.release.gatewayApi, {
            parentRefs: [{ name: "eg", namespace: "envoy-gateway-system", sectionName: "https" }],
            hostnames: ["shop.example.com"],
            dataPlaneNamespace: "envoy-gateway-system",
        });
        const same = parseConfig(gw({ parentRefs: [{ name: "eg" }], hostnames: ["a.example.com", "*.example.org"], dataPlaneNamespace: "gw-pods" }), "prod");
        assert.deepStrictEqual(same.release.gatewayApi, { parentRefs: [{ name: "eg" }], hostnames: ["a.example.com", "*.example.org"], dataPlaneNamespace: "gw-pods" });
    });

    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["an unknown router", { ...base(), release: { router: "traefik" } }, /goship:release\.router must be one of "nginx", "gatewayApi", got "traefik"/],
        ["gatewayApi without parentRefs", gw({}), /goship:release\.gatewayApi\.parentRefs is required with router gatewayApi/],
        ["an empty parentRefs", gw({ parentRefs: [] }), /goship:release\.gatewayApi\.parentRefs must be a list of 1 to 32 Gateway references/],
        ["a parentRef without name", gw({ parentRefs: [{ namespace: "gw" }] }), /goship:release\.gatewayApi\.parentRefs\[0\]\.name is required/],
        ["a bad parentRef namespace", gw({ parentRefs: [{ name: "eg", namespace: "Bad_NS" }] }), /parentRefs\[0\]\.namespace must be a namespace name \(a DNS label\), got "Bad_NS"/],
        ["an unknown parentRef key", gw({ parentRefs: [{ name: "eg", port: 443 }] }), /parentRefs\[0\]\.port is not a known key/],
        ["bad hostnames", gw({ parentRefs: [{ name: "eg" }], hostnames: ["ok.example.com", "10.1.2.3", "No_Good"] }), /hostnames entries must be DNS names, optionally starting with "\*\." \(no IP addresses\), got "10\.1\.2\.3", "No_Good"/],
        ["a hostnames string", gw({ parentRefs: [{ name: "eg" }], hostnames: "a.example.com" }), /hostnames must be a list of 1 to 16 host names/],
        ["an unknown gatewayApi key", gw({ parentRefs: [{ name: "eg" }], gateway: "eg" }), /goship:release\.gatewayApi\.gateway is not a known key/],
        ["gatewayApi settings with router nginx", { ...base(), release: { gatewayApi: { parentRefs: [{ name: "eg" }] } } }, /goship:release\.gatewayApi is set but release\.router is "nginx"/],
        ["cookie routing with gatewayApi", gw({ parentRefs: [{ name: "eg" }] }, { match: { cookie: "canary" } }), /goship:release\.match\.cookie is not supported with router gatewayApi/],
    ];
    for (const [title, raw, message] of cases) {
        it(`refuses ${title}`, () => {
            const found = problems(raw);
            assert.ok(found.some((p) => message.test(p)), `expected ${message}, got:\n  ${found.join("\n  ")}`);
        });
    }
});

describe("gatewayApi ordering (resource dependencies, not timing)", function () {
    this.timeout(120_000);
    const GW = { "goship:release.router": "gatewayApi", "goship:release.gatewayApi": { parentRefs: [{ name: "eg", namespace: "gateway-system" }] } };

    it("the weight moves after the candidate is ready; a track leaves only after the route moved; no wait on ingress-nginx", async () => {
        const e = new MockEngine("dev");
        const first = await e.up(GW);
        assert.strictEqual(first.ofType(T.Ingress).length, 0, "no Ingress with router gatewayApi");
        const step0 = await e.up({ ...GW, "goship:version": "1.1.0", "goship:release.step": 0 });
        const route = () => step0.get(T.HTTPRoute, "goship");
        assert.ok(step0.waitsFor(route(), step0.get(T.Deployment, "goship-green")), "the route waits for the candidate's pods");
        assert.ok(step0.waitsFor(route(), step0.get(T.Service, "goship")), "the route waits for the main Service");
        assert.ok(!step0.waitsFor(route(), step0.get(T.Chart, "ingress-nginx-chart")), "the route never waits for ingress-nginx");
        assert.ok(!step0.waitsFor(step0.get(T.Deployment, "goship-blue"), route()), "stable is not reordered");
        const abort = await e.up({ ...GW, "goship:version": "1.1.0", "goship:release.step": 0, "goship:release.abort": true });
        assert.ok(abort.waitsFor(abort.get(T.Deployment, "goship-green"), abort.get(T.HTTPRoute, "goship")), "the candidate scales down after its weight left the route");
    });
});

describe("render: gatewayApi end to end (the README's rehearsal, as written)", function () {
    this.timeout(180_000);
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Gateway API"));
    const block = /```bash\n([\s\S]*?)```/.exec(section)![1];
    /** Splits a README command line into words as a shell would (single quotes only). */
    const words = (line: string) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);

    it("migrates nginx → gatewayApi in one plan, shows a canary's weights before → after, refuses a change mid-rollout", () => {
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "goship-gw-"));
        const lines = block.trim().split("\n");
        assert.strictEqual(lines.length, 5, block);
        const runs: Array<{ code: number | null; stdout: string; stderr: string }> = [];
        try {
            for (const line of lines) {
                const args = words(line.replace(/^npm run render -- /, "")).map((a) => (a.startsWith("out-gw") ? path.join(cwd, a) : a));
                // Exactly what `npm run render` runs.
                const r = spawnSync(process.execPath, ["-r", "sucrase/register/ts", path.join(ROOT, "scripts/render.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
                runs.push({ code: r.status, stdout: r.stdout, stderr: r.stderr });
            }
            const [, mig, start, step1, back] = runs;
            for (const r of runs.slice(0, 4)) assert.strictEqual(r.code, 0, r.stderr + r.stdout);
            assert.match(mig.stdout, /\+ httproute-goship \(created\)\n  - ingress-goship-canary \(deleted\)\n  - ingress-goship \(deleted\)/);
            assert.match(mig.stdout, /policies \(policy\/config\/dev\.json\): 0 mandatory/);
            assert.match(start.stdout, /~ httproute-goship\n {6}rules: split → goship-blue {2}→ {2}testers → goship-green · split → goship-blue 95, goship-green 5/);
            assert.match(step1.stdout, /rules: testers → goship-green · split → goship-blue 95, goship-green 5 {2}→ {2}testers → goship-green · split → goship-blue 80, goship-green 20/);
            // the last render wrote the route at 20%: schema-valid, no Ingress left
            const dir = path.join(cwd, "out-gw", "dev");
            assert.ok(!fs.readdirSync(dir).some((f) => f.startsWith("ingress-")));
            const route = YAML.parse(fs.readFileSync(path.join(dir, "httproute-goship.yaml"), "utf8"));
            assert.deepStrictEqual(validateObject(route), []);
            assert.deepStrictEqual(route.spec.parentRefs, [{ name: "eg", namespace: "envoy-gateway-system" }]);
            assert.deepStrictEqual(route.spec.hostnames, ["goship.localtest.me"]);
            assert.match(route.metadata.annotations["pulumi.com/waitFor"], /Accepted.*ResolvedRefs/);
            // back to nginx in the middle of the canary: refused with the reason, exit 2
            assert.strictEqual(back.code, 2, back.stdout);
            assert.match(back.stderr, /refused: release\.router cannot change from gatewayApi to nginx while the release is in progress \(canary 1\.1\.0 step 2\/4: 20%/);
        } finally {
            fs.rmSync(cwd, { recursive: true, force: true });
        }
    });
});
