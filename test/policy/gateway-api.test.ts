// HTTPRoute policies: a passing and a failing fixture for each, asserting the message.
// The good route stack is the good stack with its Ingresses replaced by the HTTPRoute
// goship's gatewayApi router writes at a canary step with testers.
import * as assert from "assert";
import * as G from "../../policy/gateway-api";
import * as P from "../../policy/policies";
import * as RP from "../../policy/release";
import { levelOf } from "../../offline/policy-runner";
import { Res, TYPES as T } from "../../policy/lib/k8s";
import { assertHasViolation, assertNoViolations, container, goodStack, mutate, run, without } from "./fixtures";

const route = () => ({
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "shop", namespace: "shop" },
    spec: {
        parentRefs: [{ name: "eg", namespace: "gateways" }],
        hostnames: ["shop.example.com"],
        rules: [
            { name: "testers", matches: [{ path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "X-Canary", value: "always" }] }],
                backendRefs: [{ name: "shop-green", port: 80, weight: 1 }] },
            { name: "split", matches: [{ path: { type: "PathPrefix", value: "/" } }],
                backendRefs: [{ name: "shop-blue", port: 80, weight: 80 }, { name: "shop-green", port: 80, weight: 20 }] },
        ],
    },
});

function routeStack(): Res[] {
    const props = route();
    return [
        ...goodStack().filter((r) => r.type !== T.Ingress),
        { type: T.HTTPRoute, name: "shop", urn: `urn:pulumi:test::shop::${T.HTTPRoute}::shop`, props },
    ];
}
const R = "shop";
const onRoute = (f: (p: any) => void, stack = routeStack()) => mutate(T.HTTPRoute, R, f, stack);
const split = (p: any) => p.spec.rules[1];

describe("policies: Gateway API HTTPRoute", () => {
    it("the good route stack passes every policy, HTTPRoute ones included", () => {
        for (const p of P.resourcePolicies) assertNoViolations(p, routeStack(), p.name === "image-reference" ? { requireDigest: true } : p.name === "hpa-replica-range" ? { minReplicas: 2 } : {});
        for (const p of P.stackPolicies) assertNoViolations(p, routeStack());
        // and the HTTPRoute policies do apply to it (a check that never runs cannot fail)
        assert.ok(G.gatewayApiResourcePolicies.every((p) => p.types.includes(T.HTTPRoute)));
    });

    describe("httproute-parent-refs", () => {
        it("fails without parentRefs or with a nameless parent", () => {
            assertHasViolation(G.httpRouteParentRefs, onRoute((p) => { delete p.spec.parentRefs; }), /HTTPRoute shop has no parentRefs: it is attached to no Gateway/);
            assertHasViolation(G.httpRouteParentRefs, onRoute((p) => { p.spec.parentRefs = [{ namespace: "gateways" }]; }), /parentRefs\[0\] has no name/);
        });
    });

    describe("httproute-hostnames", () => {
        it("fails on no hostnames, an invalid one, an IP, and a wildcard unless allowed", () => {
            assertHasViolation(G.httpRouteHostnames, onRoute((p) => { p.spec.hostnames = []; }), /has no hostnames: it would serve every host/);
            assertHasViolation(G.httpRouteHostnames, onRoute((p) => { p.spec.hostnames = ["Shop_Example.com"]; }), /hostname "Shop_Example\.com" is not a DNS name/);
            assertHasViolation(G.httpRouteHostnames, onRoute((p) => { p.spec.hostnames = ["10.0.0.1"]; }), /hostname "10\.0\.0\.1" is not a DNS name/);
            const wild = onRoute((p) => { p.spec.hostnames = ["*.example.com"]; });
            assertHasViolation(G.httpRouteHostnames, wild, /uses wildcard hostname \*\.example\.com: name the host/);
            assertNoViolations(G.httpRouteHostnames, wild, { allowWildcard: true });
        });
    });

    describe("httproute-backends", () => {
        it("fails on a non-Service backend, a missing port, a bad weight, all-zero weights and more than 16 backends", () => {
            assertHasViolation(G.httpRouteBackends, onRoute((p) => { split(p).backendRefs[0].kind = "ServiceImport"; split(p).backendRefs[0].group = "multicluster.x-k8s.io"; }),
                /rule split routes to ServiceImport shop-blue \(group "multicluster\.x-k8s\.io"\): goship routes to Services only/);
            assertHasViolation(G.httpRouteBackends, onRoute((p) => { delete split(p).backendRefs[0].port; }), /backendRef shop-blue has no port/);
            assertHasViolation(G.httpRouteBackends, onRoute((p) => { split(p).backendRefs[0].weight = -5; }), /backendRef shop-blue weight -5 must be a non-negative integer/);
            assertHasViolation(G.httpRouteBackends, onRoute((p) => { split(p).backendRefs[0].weight = 2.5; }), /weight 2\.5 must be a non-negative integer/);
            assertHasViolation(G.httpRouteBackends, onRoute((p) => { for (const b of split(p).backendRefs) b.weight = 0; }), /rule split has only zero-weight backendRefs/);
            const many = onRoute((p) => { split(p).backendRefs = Array.from({ length: 17 }, () => ({ name: "shop-blue", port: 80, weight: 1 })); });
            assertHasViolation(G.httpRouteBackends, many, /rule split has 17 backendRefs: at most 16 per rule/);
            // a single stable backend at weight 0 besides a weighted one is fine; the default weight is 1
            assertNoViolations(G.httpRouteBackends, onRoute((p) => { split(p).backendRefs[1].weight = 0; delete split(p).backendRefs[0].weight; }));
        });
    });

    describe("httproute-header-matches", () => {
        const header = (h: any) => onRoute((p) => { p.spec.rules[0].matches[0].headers = [h]; });
        it("fails on a bad name, a missing value, an unknown type and a regex that does not compile", () => {
            assertHasViolation(G.httpRouteHeaderMatches, header({ name: "X Canary", value: "1" }), /header match "X Canary": the name must be an HTTP header name/);
            assertHasViolation(G.httpRouteHeaderMatches, header({ name: "X-Canary" }), /header match "X-Canary": needs a value/);
            assertHasViolation(G.httpRouteHeaderMatches, header({ type: "Prefix", name: "X-Canary", value: "a" }), /type Prefix must be Exact or RegularExpression/);
            assertHasViolation(G.httpRouteHeaderMatches, header({ type: "RegularExpression", name: "X-Canary", value: "(" }), /"\(" is not a valid regular expression/);
            assertNoViolations(G.httpRouteHeaderMatches, header({ name: "X-Canary", value: "always" })); // Exact by default
            assertNoViolations(G.httpRouteHeaderMatches, header({ type: "RegularExpression", name: "X-Canary", value: "^(qa|dev)$" }));
        });
    });

    describe("httproute-regex-match", () => {
        it("flags RegularExpression header and path matches, advisory in every stack", () => {
            assertHasViolation(G.httpRouteRegexMatch, onRoute((p) => { p.spec.rules[0].matches[0].headers[0] = { type: "RegularExpression", name: "X-Canary", value: "^qa$" }; }),
                /matches header X-Canary by RegularExpression "\^qa\$": its dialect depends on the Gateway implementation/);
            assertHasViolation(G.httpRouteRegexMatch, onRoute((p) => { split(p).matches[0].path = { type: "RegularExpression", value: "/v[0-9]+" }; }), /matches the path by RegularExpression/);
            for (const stack of ["dev", "prod"]) {
                const config = require(`../../policy/config/${stack}.json`);
                assert.strictEqual(levelOf(config, G.httpRouteRegexMatch.name, "advisory").level, "advisory", stack);
            }
        });
    });

    describe("stack: httproute-backend-chain", () => {
        it("fails on a missing Service, an undeclared port, a Service selecting no pods and a probe on another port", () => {
            assertHasViolation(G.httpRouteBackendChain, without(T.Service, "shop-green", routeStack()), /HTTPRoute shop rule testers routes to Service shop-green, which is not in the stack/);
            assertHasViolation(G.httpRouteBackendChain, onRoute((p) => { split(p).backendRefs[0].port = 8443; }), /rule split routes to port 8443 of Service shop-blue, which does not declare it/);
            assertHasViolation(G.httpRouteBackendChain, mutate(T.Service, "shop-green", (p) => { p.spec.selector["goship.dev/track"] = "purple"; }, routeStack()),
                /routes to Service shop-green, whose selector matches no Deployment's pods/);
            const probeElsewhere = mutate(T.Deployment, "shop-blue", (p) => {
                const c = container(p);
                c.ports.push({ name: "admin", containerPort: 9090 });
                c.readinessProbe.httpGet.port = "admin";
            }, routeStack());
            assertHasViolation(G.httpRouteBackendChain, probeElsewhere, /traffic reaches port http of Deployment shop-blue, but its readiness probe checks admin/);
        });
    });

    describe("stack: one-route-per-host", () => {
        it("fails when a second HTTPRoute serves the same hostname/path, passes on another path", () => {
            const stack = routeStack();
            const second = JSON.parse(JSON.stringify(stack.find((r) => r.type === T.HTTPRoute)));
            second.name = second.props.metadata.name = "shop-extra";
            second.urn += "-extra";
            assertHasViolation(G.oneRoutePerHost, [...stack, second], /HTTPRoutes shop and shop-extra both serve shop\.example\.com PathPrefix \//);
            for (const rule of second.props.spec.rules) rule.matches[0].path.value = "/admin";
            assertNoViolations(G.oneRoutePerHost, [...stack, second]);
        });
    });

    describe("stack: canary-track-prod-checks with an HTTPRoute", () => {
        it("holds the candidate track behind the route to prod checks", () => {
            const noLimit = mutate(T.Deployment, "shop-green", (p) => { delete container(p).resources.limits; }, routeStack());
            assertHasViolation(RP.canaryTrackProdChecks, noLimit, /\[container-resources\] candidate track: Deployment shop-green container app has no memory limit/);
            assert.deepStrictEqual(run(RP.canaryTrackProdChecks, routeStack()).map((v) => v.message), []);
        });
    });
});
