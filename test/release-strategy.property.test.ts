// Property test of the release state machine: random sequences of config edits (biased
// toward legal moves, with illegal ones mixed in), both strategies, random analysis
// outcomes and clock ticks. After every edit the invariants hold; a refused edit leaves
// the state exactly as it was (and the config edit is "not merged"); re-running the same
// config never changes the state.
import * as assert from "assert";
import fc from "fast-check";
import { AnalysisOutcome, assertInvariants, next, ReleaseConfig, ReleaseState, trackRoles } from "../components/release/strategy";

type Action =
    | { kind: "next" } | { kind: "jump"; by: number } | { kind: "back" } | { kind: "abort" } | { kind: "unabort" }
    | { kind: "version"; step: number } | { kind: "rollback" } | { kind: "same" } | { kind: "strategy" }
    | { kind: "steps"; steps: number[] } | { kind: "tick"; seconds: number };

const stepsArb = fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 0, maxLength: 4 })
    .map((xs) => [...xs.sort((a, b) => a - b), 100]);

const actionArb: fc.Arbitrary<Action> = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ kind: "next" } as Action) },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 4 }).map((by) => ({ kind: "jump", by }) as Action) },
    { weight: 1, arbitrary: fc.constant({ kind: "back" } as Action) },
    { weight: 2, arbitrary: fc.constant({ kind: "abort" } as Action) },
    { weight: 2, arbitrary: fc.constant({ kind: "unabort" } as Action) },
    { weight: 4, arbitrary: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }).map((step) => ({ kind: "version", step }) as Action) },
    { weight: 2, arbitrary: fc.constant({ kind: "rollback" } as Action) },
    { weight: 1, arbitrary: fc.constant({ kind: "same" } as Action) },
    { weight: 1, arbitrary: fc.constant({ kind: "strategy" } as Action) },
    { weight: 1, arbitrary: stepsArb.map((steps) => ({ kind: "steps", steps }) as Action) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 1200 }).map((seconds) => ({ kind: "tick", seconds }) as Action) },
);

const analysisArb: fc.Arbitrary<AnalysisOutcome | undefined> = fc.option(fc.record({
    verdict: fc.constantFrom<AnalysisOutcome["verdict"]>("pass", "pass", "fail", "hold"),
    onFailure: fc.constantFrom<AnalysisOutcome["onFailure"]>("refuse", "abort"),
    values: fc.constant({ successRate: 0.95, p99Seconds: 0.1, requests: 100 }),
    summary: fc.constant("measured"),
}), { freq: 3 });

const editArb = fc.record({ action: actionArb, analysis: analysisArb });

let sequences = 0;
let edits = 0;
let refusals = 0;
const events: Record<string, number> = {};

function edit(c: ReleaseConfig, a: Action, s: ReleaseState, versions: { n: number }): ReleaseConfig {
    switch (a.kind) {
        case "next": return { ...c, step: c.step + 1 };
        case "jump": return { ...c, step: c.step + a.by };
        case "back": return { ...c, step: Math.max(0, c.step - 1) };
        case "abort": return { ...c, abort: true };
        case "unabort": return { ...c, abort: false, step: 0 };
        case "version": return { ...c, version: `1.${++versions.n}.0`, step: a.step, abort: false };
        case "rollback": return { ...c, version: s.previousStableVersion ?? c.version };
        case "same": return c;
        case "strategy": return { ...c, strategy: c.strategy === "canary" ? "blueGreen" : "canary", step: 0 };
        case "steps": return { ...c, steps: a.steps };
        case "tick": return c;
    }
}

describe("release state machine: properties", function () {
    this.timeout(120_000);

    after(() => console.log(`      property run: ${sequences} sequences, ${edits} config edits (${refusals} refused); transitions: ${
        Object.entries(events).sort().map(([k, v]) => `${k} ${v}`).join(", ")}`));

    it("keeps every invariant over ≥ 10,000 random edit sequences; refusals change nothing; re-runs are no-ops", () => {
        fc.assert(fc.property(
            fc.constantFrom<"canary" | "blueGreen">("canary", "blueGreen"),
            fc.array(editArb, { minLength: 5, maxLength: 40, size: "max" }),
            (strategy, sequence) => {
                sequences++;
                let clock = Date.parse("2026-11-24T10:00:00Z");
                const now = () => new Date(clock).toISOString();
                let config: ReleaseConfig = { version: "1.0.0", strategy, steps: [5, 20, 50, 100], step: 0, abort: false, scaleDownDelaySeconds: 600 };
                const first = next(undefined, config, { now: now() });
                assert.ok(first.ok);
                let state = first.state;
                assertInvariants(undefined, state);
                const versions = { n: 0 };
                for (const { action, analysis } of sequence) {
                    edits++;
                    if (action.kind === "tick") clock += action.seconds * 1000;
                    const proposed = edit(config, action, state, versions);
                    const before = JSON.stringify(state);
                    const t = next(state, proposed, { now: now(), analysis });
                    if (!t.ok) {
                        refusals++;
                        assert.strictEqual(JSON.stringify(state), before, "a refusal must not touch the state");
                        assert.strictEqual(t.state, state);
                        assert.ok(t.reason.length > 0);
                        continue; // the edit is not merged
                    }
                    assertInvariants(state, t.state);
                    const s = t.state;
                    if (t.event) events[t.event] = (events[t.event] ?? 0) + 1;
                    // Abort always ends with stable serving everything.
                    if (t.event === "abort") {
                        assert.strictEqual(s.weight, 0);
                        assert.notStrictEqual(trackRoles(s)[s.stableTrack === "blue" ? "green" : "blue"], "candidate");
                    }
                    // The weight only ever takes values from the steps or 0.
                    assert.ok(s.weight === 0 || s.steps.includes(s.weight));
                    // Re-running the same config (a retried `up`) never changes the state.
                    const again = next(s, proposed, { now: now() });
                    assert.ok(!again.ok || !again.changed, `re-run changed the state: ${again.ok && again.description}`);
                    if (again.ok) assert.deepStrictEqual(again.state, s);
                    state = s;
                    config = proposed;
                }
            },
        ), { numRuns: 10_000, seed: 20261124 });
        assert.ok(sequences >= 10_000);
    });
});
