// Property test of the release state machine: random sequences of config edits (biased
// toward legal moves, with illegal ones mixed in), both strategies, random analysis
// outcomes and clock ticks. After every edit the invariants hold; a refused edit leaves
// the state exactly as it was (and the config edit is "not merged"), and every move its
// message names as allowed is accepted (progress); re-applying an accepted config, later
// and with any analysis answer, is accepted and changes nothing (re-run); an accepted
// advance moves exactly one step, past a passing analysis; a scale-down waits its delay.
import * as assert from "assert";
import fc from "fast-check";
import type { MatchConfig } from "../components/release/settings";
import { AnalysisOutcome, assertInvariants, needsAnalysis, next, ReleaseConfig, ReleaseState, trackRoles } from "../components/release/strategy";

type Action =
    | { kind: "next" } | { kind: "jump"; by: number } | { kind: "back" } | { kind: "abort" } | { kind: "unabort" }
    | { kind: "version"; step: number } | { kind: "rollback" } | { kind: "same" } | { kind: "strategy" }
    | { kind: "steps"; steps: number[] } | { kind: "tick"; seconds: number } | { kind: "match"; match?: MatchConfig };

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
    { weight: 1, arbitrary: fc.constantFrom<MatchConfig | undefined>(undefined, { header: "X-Canary" }, { cookie: "canary", steps: [1, 2] })
        .map((match) => ({ kind: "match", match }) as Action) },
);

const analysisArb: fc.Arbitrary<AnalysisOutcome | undefined> = fc.option(fc.record({
    verdict: fc.constantFrom<AnalysisOutcome["verdict"]>("pass", "pass", "fail", "hold"),
    onFailure: fc.constantFrom<AnalysisOutcome["onFailure"]>("refuse", "abort"),
    values: fc.constant({ successRate: 0.95, p99Seconds: 0.1, requests: 100 }),
    summary: fc.constant("measured"),
}), { freq: 3 });

const editArb = fc.record({ action: actionArb, analysis: analysisArb });

const PASS: AnalysisOutcome = { verdict: "pass", onFailure: "refuse", values: { successRate: 1, p99Seconds: 0.1, requests: 1000 }, summary: "passed" };

/**
 * The moves a refusal names as allowed, as configs to apply. `next allowed:` moves are
 * edits of the last accepted config; "set …" hints fix the refused edit itself. `at` is
 * the time the move becomes allowed (the scale-down delay), when the message names one.
 */
export function namedMoves(reason: string, accepted: ReleaseConfig, proposed: ReleaseConfig): Array<{ cfg: ReleaseConfig; at?: string }> {
    const moves: Array<{ cfg: ReleaseConfig; at?: string }> = [];
    const allowed = reason.match(/next allowed: (.*)$/)?.[1];
    if (allowed !== undefined) {
        const until = allowed.match(/, from (\S+)\)/)?.[1];
        const step = allowed.match(/^step (\d+)/);
        if (step) moves.push({ cfg: { ...accepted, step: Number(step[1]), abort: false }, at: until });
        const back = allowed.match(/version (\S+) \/ abort: true/);
        if (back) moves.push({ cfg: { ...accepted, version: back[1] } });
        if (/abort: true/.test(allowed)) moves.push({ cfg: { ...accepted, abort: true } });
    }
    if (/set goship:release\.step to 0/.test(reason)) moves.push({ cfg: { ...proposed, step: 0 } });
    if (/set abort: false to start/.test(reason)) moves.push({ cfg: { ...proposed, abort: false } });
    return moves;
}

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
        case "match": {
            const { match: _was, ...rest } = c;
            return a.match ? { ...rest, match: a.match } : rest;
        }
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
                        // Progress: the refusal names at least one way on, and each one is accepted.
                        const moves = namedMoves(t.reason, config, proposed);
                        assert.ok(moves.length > 0, `the refusal names no allowed move: ${t.reason}`);
                        for (const m of moves) {
                            const when = m.at && Date.parse(m.at) > clock ? m.at : now();
                            const r = next(state, m.cfg, { now: when, analysis: PASS });
                            assert.ok(r.ok, `the named move ${JSON.stringify(m.cfg)} was refused: ${!r.ok && r.reason}\n  after: ${t.reason}`);
                            assert.ok(r.changed, `the named move ${JSON.stringify(m.cfg)} changed nothing`);
                        }
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
                    // Header/cookie routing is in the state exactly while a canary progresses at
                    // one of the configured match's steps, as configured (without its steps).
                    const { steps: on, ...route } = proposed.match ?? {};
                    const routed = proposed.match !== undefined && s.phase === "Progressing" && (on === undefined || on.includes(s.step));
                    assert.deepStrictEqual(s.match, routed ? route : undefined, `match in ${s.phase} at step ${s.step}`);
                    // The weight only ever takes values from the steps or 0.
                    assert.ok(s.weight === 0 || s.steps.includes(s.weight));
                    // Traffic moves toward a candidate one step at a time, and only past a passing analysis.
                    if ((t.event === "advance" || t.event === "promote" || t.event === "switch") && (state.phase === "Progressing" || state.phase === "Preview")) {
                        assert.strictEqual(proposed.step, state.step + 1, `${t.event} from step ${state.step} to config step ${proposed.step}`);
                        assert.ok(needsAnalysis(state, proposed));
                        assert.ok(!analysis || analysis.verdict === "pass", `${t.event} past a ${analysis?.verdict} analysis`);
                    }
                    if (t.event === "abort" && analysis && analysis.verdict === "fail" && needsAnalysis(state, proposed) && !proposed.abort) {
                        assert.strictEqual(analysis.onFailure, "abort");
                        assert.deepStrictEqual(s.autoAbort, { step: proposed.step, analysis });
                    }
                    // The old colour stays warm for the whole delay.
                    if (t.event === "scaleDown") {
                        assert.ok(clock >= Date.parse(state.switchedAt!) + proposed.scaleDownDelaySeconds * 1000, "scaled down before scaleDownDelay");
                    }
                    // Re-run: the same config again, later and whatever the analysis would say,
                    // is accepted and changes nothing (a retried or repeated `up`).
                    for (const a of [undefined, analysis, { ...PASS, verdict: "fail", onFailure: "abort" } as AnalysisOutcome]) {
                        const again = next(s, proposed, { now: new Date(clock + 3_600_000).toISOString(), analysis: a });
                        assert.ok(again.ok, `re-running the config just applied was refused: ${!again.ok && again.reason}`);
                        assert.ok(!again.changed, `re-run changed the state: ${again.description}`);
                        assert.deepStrictEqual(again.state, s);
                    }
                    state = s;
                    config = proposed;
                }
            },
        ), { numRuns: 10_000, seed: 20261124 });
        assert.ok(sequences >= 10_000);
    });

    it("progress: a canary reaches promotion in exactly steps.length accepted edits; blue/green in preview → switch → scale down", () => {
        fc.assert(fc.property(stepsArb, fc.integer({ min: 0, max: 3600 }), (steps, delay) => {
            let clock = Date.parse("2026-11-24T10:00:00Z");
            const now = () => new Date(clock).toISOString();
            const base: ReleaseConfig = { version: "1.0.0", strategy: "canary", steps, step: 0, abort: false, scaleDownDelaySeconds: delay };
            let s = (next(undefined, base, { now: now() }) as { state: ReleaseState }).state;
            const apply = (c: ReleaseConfig) => {
                const t = next(s, c, { now: now(), analysis: needsAnalysis(s, c) ? PASS : undefined });
                assert.ok(t.ok, `refused: ${!t.ok && t.reason}`);
                assert.ok(t.changed);
                assertInvariants(s, t.state);
                s = t.state;
            };
            for (let i = 0; i < steps.length; i++) {
                apply({ ...base, version: "1.1.0", step: i });
                assert.strictEqual(s.phase, i === steps.length - 1 ? "Promoted" : "Progressing", `after ${i + 1} of ${steps.length} edits`);
            }
            assert.strictEqual(s.stableVersion, "1.1.0");

            const bg: ReleaseConfig = { ...base, version: "1.1.0", strategy: "blueGreen", step: 0 };
            apply(bg); // strategy change while settled (no traffic moves)
            const phases: string[] = [];
            for (let step = 0; step < 3; step++) {
                if (step === 2) clock += delay * 1000;
                apply({ ...bg, version: "1.2.0", step });
                phases.push(s.phase);
            }
            assert.deepStrictEqual(phases, ["Preview", "Switched", "Promoted"]);
            assert.strictEqual(s.stableVersion, "1.2.0");
        }), { numRuns: 500, seed: 20261125 });
    });
});
