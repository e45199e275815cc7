// The release state machine, transition by transition, with every refusal message.
import * as assert from "assert";
import {
    assertInvariants, needsAnalysis, next, ReleaseConfig, ReleaseState, statusLine, trackRoles, Transition,
} from "../components/release/strategy";

const NOW = "2026-11-24T10:00:00.000Z";
const later = (s: number) => new Date(Date.parse(NOW) + s * 1000).toISOString();
const cfg = (version: string, extra: Partial<ReleaseConfig> = {}): ReleaseConfig =>
    ({ version, strategy: "canary", steps: [5, 20, 50, 100], step: 0, abort: false, scaleDownDelaySeconds: 600, ...extra });

function ok(t: Transition): ReleaseState {
    if (!t.ok) assert.fail(`expected a transition, got refusal: ${t.reason}`);
    return t.state;
}
function refused(t: Transition): string {
    if (t.ok) assert.fail(`expected a refusal, got ${t.description}`);
    return t.reason;
}
/** Applies a sequence of configs from scratch, checking invariants at every step. */
function run(...configs: Array<[ReleaseConfig, string?]>): ReleaseState {
    let s: ReleaseState | undefined;
    for (const [c, now] of configs) {
        const n = ok(next(s, c, { now: now ?? NOW }));
        assertInvariants(s, n);
        s = n;
    }
    return s!;
}
const stable = () => run([cfg("1.0.0")]);
const at = (step: number) => {
    const steps: Array<[ReleaseConfig]> = [[cfg("1.0.0")]];
    for (let i = 0; i <= step; i++) steps.push([cfg("1.1.0", { step: i })]);
    return run(...steps);
};

describe("release state machine", () => {
    describe("first deploy", () => {
        it("makes the version stable at 100% on blue, no candidate", () => {
            const s = stable();
            assert.deepStrictEqual(
                { phase: s.phase, stable: s.stableVersion, cand: s.candidateVersion, track: s.stableTrack, step: s.step, weight: s.weight },
                { phase: "Stable", stable: "1.0.0", cand: undefined, track: "blue", step: -1, weight: 0 });
            assert.deepStrictEqual(s.history.map((h) => h.event), ["deploy"]);
            assert.strictEqual(statusLine(s), "stable 1.0.0");
            assert.deepStrictEqual(trackRoles(s), { blue: "stable", green: "idle" });
        });
        it("ignores a leftover step on first deploy", () => {
            assert.strictEqual(ok(next(undefined, cfg("1.0.0", { step: 2 }), { now: NOW })).phase, "Stable");
        });
    });

    describe("Stable", () => {
        it("unchanged config is a no-op (same state, no history)", () => {
            const s = stable();
            const t = next(s, cfg("1.0.0"), { now: later(60) });
            assert.ok(t.ok && !t.changed);
            assert.deepStrictEqual(ok(t), s);
        });
        it("a new version starts a canary at steps[0] on the other track, stable untouched", () => {
            const s = stable();
            const n = ok(next(s, cfg("1.1.0"), { now: NOW }));
            assert.strictEqual(n.phase, "Progressing");
            assert.strictEqual(n.weight, 5);
            assert.strictEqual(n.candidateVersion, "1.1.0");
            assert.deepStrictEqual(n.trackVersions, { blue: "1.0.0", green: "1.1.0" });
            assert.strictEqual(n.stableTrack, "blue");
            assert.deepStrictEqual(trackRoles(n), { blue: "stable", green: "candidate" });
            assert.strictEqual(statusLine(n), "canary 1.1.0 step 1/4: 5% · stable 1.0.0");
        });
        it("refuses to start at a step other than 0", () => {
            assert.strictEqual(refused(next(stable(), cfg("1.1.0", { step: 2 }), { now: NOW })),
                "goship:release.step must be 0 to start 1.1.0 (got 2); release is stable at 1.0.0; set goship:release.step to 0");
        });
        it("refuses abort: true with nothing in progress and a new version", () => {
            assert.strictEqual(refused(next(stable(), cfg("1.1.0", { abort: true }), { now: NOW })),
                "goship:release.abort is true but nothing is in progress (release is stable at 1.0.0); set abort: false to start 1.1.0");
        });
        it("abort: true with the stable version is a no-op", () => {
            const t = next(stable(), cfg("1.0.0", { abort: true }), { now: NOW });
            assert.ok(t.ok && !t.changed);
        });
        it("a strategy change while stable is accepted", () => {
            const n = ok(next(stable(), cfg("1.0.0", { strategy: "blueGreen" }), { now: NOW }));
            assert.strictEqual(n.strategy, "blueGreen");
        });
    });

    describe("Progressing", () => {
        it("advances one step at a time: 5 → 20 → 50", () => {
            assert.strictEqual(at(1).weight, 20);
            assert.strictEqual(at(2).weight, 50);
            assert.strictEqual(statusLine(at(2)), "canary 1.1.0 step 3/4: 50% · stable 1.0.0");
            assert.deepStrictEqual(at(2).history.map((h) => h.event), ["deploy", "start", "advance", "advance"]);
        });
        it("the last step promotes: candidate stable on its track, weight 0, old track idle", () => {
            const s = at(3);
            assert.deepStrictEqual(
                { phase: s.phase, stable: s.stableVersion, prev: s.previousStableVersion, cand: s.candidateVersion, track: s.stableTrack, weight: s.weight, step: s.step },
                { phase: "Promoted", stable: "1.1.0", prev: "1.0.0", cand: undefined, track: "green", weight: 0, step: -1 });
            assert.deepStrictEqual(trackRoles(s), { blue: "idle", green: "stable" });
            assert.strictEqual(s.history.at(-1)!.event, "promote");
        });
        const refusals: Array<[string, Partial<ReleaseConfig>, string]> = [
            ["a jump", { step: 3 }, "goship:release: release 1.1.0 is at step 1/4 (20%); step 3 would skip 1 step(s); next allowed: step 2 (50%), or abort: true"],
            ["a step down", { step: 0 }, "goship:release: release 1.1.0 is at step 1/4 (20%); step 0 would go back (steps only move forward); next allowed: step 2 (50%), or abort: true"],
            ["a step past the end", { step: 4 }, "goship:release: release 1.1.0 is at step 1/4 (20%); step 4 is past the last step (3); next allowed: step 2 (50%), or abort: true"],
            ["a new version", { version: "1.2.0" }, "goship:release: release 1.1.0 is at step 1/4 (20%); goship:version 1.2.0 cannot start while 1.1.0 is in progress; next allowed: step 2 (50%), or abort: true"],
            ["a strategy change", { strategy: "blueGreen" }, "goship:release: release 1.1.0 is at step 1/4 (20%); goship:release.strategy cannot change mid-rollout; next allowed: step 2 (50%), or abort: true"],
            ["a steps change", { steps: [10, 100] }, "goship:release: release 1.1.0 is at step 1/4 (20%); goship:release.steps cannot change mid-rollout ([5,20,50,100]); next allowed: step 2 (50%), or abort: true"],
        ];
        for (const [title, edit, message] of refusals) {
            it(`refuses ${title}, leaving the state unchanged`, () => {
                const s = at(1);
                const before = JSON.stringify(s);
                const t = next(s, cfg("1.1.0", { step: 1, ...edit }), { now: NOW });
                assert.strictEqual(refused(t), message);
                assert.strictEqual(JSON.stringify(s), before);
                assert.strictEqual(t.state, s);
            });
        }
        it("steps [100] promotes at the start (a canary at its last step could never promote)", () => {
            const s = ok(next(stable(), cfg("1.1.0", { steps: [100] }), { now: NOW }));
            assert.deepStrictEqual({ phase: s.phase, stable: s.stableVersion, track: s.stableTrack, event: s.history.at(-1)!.event }, { phase: "Promoted", stable: "1.1.0", track: "green", event: "promote" });
        });
        it("names the promotion as the next move before the last step", () => {
            assert.match(refused(next(at(2), cfg("1.1.0", { step: 0 }), { now: NOW })), /next allowed: step 3 \(100%, promotion\), or abort: true$/);
        });
        it("the same step again is a no-op (retry of a failed up)", () => {
            const t = next(at(1), cfg("1.1.0", { step: 1 }), { now: later(5) });
            assert.ok(t.ok && !t.changed);
        });
    });

    describe("abort and retry", () => {
        it("abort sends weight to 0 at once and idles the candidate", () => {
            const s = ok(next(at(2), cfg("1.1.0", { step: 2, abort: true }), { now: NOW }));
            assert.deepStrictEqual({ phase: s.phase, weight: s.weight, stable: s.stableVersion, cand: s.candidateVersion }, { phase: "Aborted", weight: 0, stable: "1.0.0", cand: "1.1.0" });
            assert.deepStrictEqual(trackRoles(s), { blue: "stable", green: "idle" });
            assert.strictEqual(statusLine(s), "aborted 1.1.0 · stable 1.0.0");
            const again = next(s, cfg("1.1.0", { step: 2, abort: true }), { now: NOW });
            assert.ok(again.ok && !again.changed, "abort stays a no-op");
        });
        it("abort false with step 0 retries from the first step", () => {
            const aborted = ok(next(at(2), cfg("1.1.0", { step: 2, abort: true }), { now: NOW }));
            const r = ok(next(aborted, cfg("1.1.0"), { now: NOW }));
            assert.strictEqual(r.phase, "Progressing");
            assert.strictEqual(r.weight, 5);
            assert.strictEqual(r.history.at(-1)!.event, "retry");
        });
        it("refuses a retry that does not start at step 0", () => {
            const aborted = ok(next(at(2), cfg("1.1.0", { step: 2, abort: true }), { now: NOW }));
            assert.strictEqual(refused(next(aborted, cfg("1.1.0", { step: 2 }), { now: NOW })),
                "goship:release.step must be 0 to retry 1.1.0 (got 2); release 1.1.0 was aborted (stable 1.0.0); set goship:release.step to 0");
        });
        it("a different version after an abort starts a new rollout; the stable version drops the aborted one", () => {
            const aborted = ok(next(at(0), cfg("1.1.0", { abort: true }), { now: NOW }));
            assert.strictEqual(ok(next(aborted, cfg("1.2.0"), { now: NOW })).candidateVersion, "1.2.0");
            const dropped = ok(next(aborted, cfg("1.0.0"), { now: NOW }));
            assert.strictEqual(dropped.phase, "Stable");
            assert.strictEqual(dropped.candidateVersion, undefined);
        });
    });

    describe("rollback after promotion", () => {
        it("setting version back to the previous stable is one move to the other track", () => {
            const s = ok(next(at(3), cfg("1.0.0", { step: 3 }), { now: NOW }));
            assert.deepStrictEqual({ phase: s.phase, stable: s.stableVersion, prev: s.previousStableVersion, track: s.stableTrack },
                { phase: "Stable", stable: "1.0.0", prev: "1.1.0", track: "blue" });
            assert.strictEqual(s.history.at(-1)!.event, "rollback");
        });
    });

    describe("blueGreen", () => {
        const bg = (version: string, extra: Partial<ReleaseConfig> = {}) => cfg(version, { strategy: "blueGreen", ...extra });
        const preview = () => run([bg("1.0.0")], [bg("1.1.0")]);
        const switched = () => run([bg("1.0.0")], [bg("1.1.0")], [bg("1.1.0", { step: 1 })]);
        it("a new version comes up in preview on the other colour, main selector unchanged", () => {
            const s = preview();
            assert.deepStrictEqual({ phase: s.phase, weight: s.weight, track: s.stableTrack }, { phase: "Preview", weight: 0, track: "blue" });
            assert.deepStrictEqual(trackRoles(s), { blue: "stable", green: "candidate" });
            assert.strictEqual(statusLine(s), "blueGreen 1.1.0 preview · stable 1.0.0");
        });
        it("step 1 switches; the old colour stays warm", () => {
            const s = switched();
            assert.deepStrictEqual({ phase: s.phase, stable: s.stableVersion, track: s.stableTrack, at: s.switchedAt }, { phase: "Switched", stable: "1.1.0", track: "green", at: NOW });
            assert.deepStrictEqual(trackRoles(s), { blue: "warm", green: "stable" });
            assert.strictEqual(statusLine(s), "blueGreen 1.1.0 switched · 1.0.0 warm");
        });
        it("version back (or abort) switches back to the warm colour at once", () => {
            const back = ok(next(switched(), bg("1.0.0", { step: 1 }), { now: NOW }));
            assert.deepStrictEqual({ stable: back.stableVersion, track: back.stableTrack, phase: back.phase }, { stable: "1.0.0", track: "blue", phase: "Stable" });
            const aborted = ok(next(switched(), bg("1.1.0", { step: 1, abort: true }), { now: NOW }));
            assert.deepStrictEqual({ stable: aborted.stableVersion, track: aborted.stableTrack, phase: aborted.phase }, { stable: "1.0.0", track: "blue", phase: "Aborted" });
        });
        it("step 2 scales the old colour down only after scaleDownDelay", () => {
            assert.strictEqual(refused(next(switched(), bg("1.1.0", { step: 2 }), { now: later(60) })),
                "goship:release: release 1.1.0 is switched, 1.0.0 kept warm (step 1); scaleDownDelay: 1.0.0 stays warm until 2026-11-24T10:10:00.000Z (540 s remaining); next allowed: step 2 (scale down 1.0.0, from 2026-11-24T10:10:00.000Z), or version 1.0.0 / abort: true (switch back)");
            const s = ok(next(switched(), bg("1.1.0", { step: 2 }), { now: later(600) }));
            assert.strictEqual(s.phase, "Promoted");
            assert.deepStrictEqual(trackRoles(s), { blue: "idle", green: "stable" });
        });
        it("refuses skipping the switch", () => {
            assert.strictEqual(refused(next(preview(), bg("1.1.0", { step: 2 }), { now: NOW })),
                "goship:release: release 1.1.0 is in blueGreen preview (step 0); step 2 would skip the switch; next allowed: step 1 (switch), or abort: true");
        });
    });

    describe("analysis", () => {
        const outcome = (verdict: "pass" | "fail" | "hold", onFailure: "refuse" | "abort" = "refuse") =>
            ({ verdict, onFailure, values: { successRate: 0.91, p99Seconds: 0.2, requests: 500 }, summary: "success rate 0.910 < 0.990" });
        it("is needed for an advance, a promotion and a switch, not for a start or an abort", () => {
            assert.strictEqual(needsAnalysis(at(0), cfg("1.1.0", { step: 1 })), true);
            assert.strictEqual(needsAnalysis(at(2), cfg("1.1.0", { step: 3 })), true);
            assert.strictEqual(needsAnalysis(stable(), cfg("1.1.0")), false);
            assert.strictEqual(needsAnalysis(at(0), cfg("1.1.0", { abort: true })), false);
            assert.strictEqual(needsAnalysis(at(0), cfg("1.1.0", { step: 0 })), false);
        });
        it("a pass advances and records the values in history", () => {
            const s = ok(next(at(0), cfg("1.1.0", { step: 1 }), { now: NOW, analysis: outcome("pass") }));
            assert.strictEqual(s.weight, 20);
            assert.deepStrictEqual(s.history.at(-1)!.analysis!.values, { successRate: 0.91, p99Seconds: 0.2, requests: 500 });
        });
        it("a failure refuses with the measured values", () => {
            assert.strictEqual(refused(next(at(0), cfg("1.1.0", { step: 1 }), { now: NOW, analysis: outcome("fail") })),
                "goship:release: release 1.1.0 is at step 0/4 (5%); analysis failed: success rate 0.910 < 0.990; next allowed: step 1 (20%), or abort: true");
        });
        it("a failure with onFailure abort aborts and records why", () => {
            const s = ok(next(at(0), cfg("1.1.0", { step: 1 }), { now: NOW, analysis: outcome("fail", "abort") }));
            assert.strictEqual(s.phase, "Aborted");
            assert.strictEqual(s.history.at(-1)!.analysis!.verdict, "fail");
        });
        it("hold refuses without aborting", () => {
            assert.match(refused(next(at(0), cfg("1.1.0", { step: 1 }), { now: NOW, analysis: outcome("hold", "abort") })), /held: success rate/);
        });
    });

    describe("automatic abort (analysis onFailure: abort)", () => {
        const failAbort = { verdict: "fail" as const, onFailure: "abort" as const, values: { successRate: 0.91, p99Seconds: 0.2, requests: 500 }, summary: "success rate 0.910 < 0.990" };
        const autoAborted = () => ok(next(at(1), cfg("1.1.0", { step: 2 }), { now: NOW, analysis: failAbort }));
        it("the aborted config is a no-op afterwards (it does not wedge every later up)", () => {
            const s = autoAborted();
            assert.strictEqual(s.phase, "Aborted");
            assert.deepStrictEqual(s.autoAbort, { step: 2, analysis: failAbort });
            // The stack config still says step 2, abort false: the next up, hours later.
            const again = next(s, cfg("1.1.0", { step: 2 }), { now: later(7200) });
            assert.ok(again.ok, `refused: ${!again.ok && again.reason}`);
            assert.strictEqual(again.changed, false);
            assert.strictEqual(again.state, s);
        });
        it("the status names the analysis, its values and what to edit", () => {
            assert.strictEqual(statusLine(autoAborted()),
                "aborted 1.1.0 by analysis at step 2: success rate 0.910 < 0.990 · stable 1.0.0 · to retry set goship:release.step 0; to give up set goship:version 1.0.0");
            const t = next(at(1), cfg("1.1.0", { step: 2 }), { now: NOW, analysis: failAbort });
            assert.ok(t.ok);
            assert.strictEqual(t.description,
                "abort 1.1.0 by analysis at step 2: success rate 0.910 < 0.990; weight 20% → 0%, green scaled down; to retry set goship:release.step 0; to give up set goship:version 1.0.0");
            assert.deepStrictEqual(t.state.history.at(-1)!.analysis, failAbort);
        });
        it("retrying still takes step 0; giving up takes the stable version; another step is refused", () => {
            const s = autoAborted();
            const retry = ok(next(s, cfg("1.1.0", { step: 0 }), { now: NOW }));
            assert.deepStrictEqual({ phase: retry.phase, weight: retry.weight, event: retry.history.at(-1)!.event, auto: retry.autoAbort }, { phase: "Progressing", weight: 5, event: "retry", auto: undefined });
            const gaveUp = ok(next(s, cfg("1.0.0", { step: 2 }), { now: NOW }));
            assert.deepStrictEqual({ phase: gaveUp.phase, auto: gaveUp.autoAbort }, { phase: "Stable", auto: undefined });
            assert.match(refused(next(s, cfg("1.1.0", { step: 3 }), { now: NOW })), /step must be 0 to retry 1\.1\.0 \(got 3\)/);
        });
        it("a user abort is not an automatic one: abort: false with a step other than 0 is refused", () => {
            const s = ok(next(at(1), cfg("1.1.0", { step: 1, abort: true }), { now: NOW }));
            assert.strictEqual(s.autoAbort, undefined);
            assert.strictEqual(statusLine(s), "aborted 1.1.0 · stable 1.0.0");
            assert.match(refused(next(s, cfg("1.1.0", { step: 1 }), { now: NOW })), /step must be 0 to retry/);
        });
    });

    describe("blueGreen switch gate", () => {
        const bg = (version: string, extra: Partial<ReleaseConfig> = {}) => cfg(version, { strategy: "blueGreen", ...extra });
        const preview = () => run([bg("1.0.0")], [bg("1.1.0")]);
        const outcome = (verdict: "pass" | "fail" | "hold", onFailure: "refuse" | "abort" = "refuse") =>
            ({ verdict, onFailure, values: { successRate: 0.5, p99Seconds: 2, requests: 300 }, summary: `preview measured ${verdict}` });
        it("the switch needs analysis; scale-down and switch-back do not", () => {
            assert.strictEqual(needsAnalysis(preview(), bg("1.1.0", { step: 1 })), true);
            const sw = ok(next(preview(), bg("1.1.0", { step: 1 }), { now: NOW }));
            assert.strictEqual(needsAnalysis(sw, bg("1.1.0", { step: 2 })), false);
            assert.strictEqual(needsAnalysis(sw, bg("1.0.0", { step: 1 })), false);
        });
        it("a pass switches and records the values", () => {
            const s = ok(next(preview(), bg("1.1.0", { step: 1 }), { now: NOW, analysis: outcome("pass") }));
            assert.strictEqual(s.phase, "Switched");
            assert.strictEqual(s.history.at(-1)!.analysis!.verdict, "pass");
        });
        it("a failure refuses the switch: the main Service stays on the old colour", () => {
            const p = preview();
            assert.strictEqual(refused(next(p, bg("1.1.0", { step: 1 }), { now: NOW, analysis: outcome("fail") })),
                "goship:release: release 1.1.0 is in blueGreen preview (step 0); analysis failed: preview measured fail; next allowed: step 1 (switch), or abort: true");
            assert.match(refused(next(p, bg("1.1.0", { step: 1 }), { now: NOW, analysis: outcome("hold", "abort") })), /held: preview measured hold/);
        });
        it("a failure with onFailure abort aborts the preview; that config is then a no-op", () => {
            const s = ok(next(preview(), bg("1.1.0", { step: 1 }), { now: NOW, analysis: outcome("fail", "abort") }));
            assert.deepStrictEqual({ phase: s.phase, track: s.stableTrack, stable: s.stableVersion, step: s.autoAbort?.step }, { phase: "Aborted", track: "blue", stable: "1.0.0", step: 1 });
            const again = next(s, bg("1.1.0", { step: 1 }), { now: later(60) });
            assert.ok(again.ok && !again.changed);
        });
    });

    describe("invariants", () => {
        it("assertInvariants rejects broken states", () => {
            const s = at(1);
            assert.throws(() => assertInvariants(undefined, { ...s, weight: 30 }), /weight 30 not in steps/);
            assert.throws(() => assertInvariants(undefined, { ...s, weight: 120 }), /outside \[0, 100\]/);
            assert.throws(() => assertInvariants(s, { ...s, history: s.history.slice(1) }), /history shrank/);
            assert.throws(() => assertInvariants(s, { ...s, history: [{ ...s.history[0], to: "x" }, ...s.history.slice(1)] }), /history was rewritten/);
            assert.throws(() => assertInvariants(undefined, { ...s, trackVersions: { blue: "9", green: "1.1.0" } }), /stable track does not run the stable version/);
            assert.throws(() => assertInvariants(undefined, { ...s, trackVersions: { blue: "1.0.0", green: "1.0.0" } }), /candidate track does not run the candidate/);
            assert.throws(() => assertInvariants(undefined, { ...s, phase: "Promoted", step: -1, weight: 0 }), /a candidate in phase Promoted/);
            assert.throws(() => assertInvariants(undefined, { ...s, phase: "Aborted", step: -1, weight: 0, candidateVersion: undefined }), /aborted release without/);
            const sw = run([cfg("1.0.0", { strategy: "blueGreen" })], [cfg("1.1.0", { strategy: "blueGreen" })], [cfg("1.1.0", { strategy: "blueGreen", step: 1 })]);
            assert.throws(() => assertInvariants(undefined, { ...sw, trackVersions: { blue: "0.9.0", green: "1.1.0" } }), /warm colour does not run the previous stable version/);
            assert.throws(() => assertInvariants(undefined, { ...sw, switchedAt: undefined }), /a switch without its time/);
            assert.throws(() => assertInvariants(undefined, { ...s, autoAbort: { step: 2, analysis: { verdict: "fail", onFailure: "abort", values: {}, summary: "" } } }), /autoAbort outside Aborted/);
            assert.throws(() => assertInvariants(undefined, { ...stable(), match: { header: "X-Canary" } }), /header\/cookie routing in phase Stable/);
        });
    });

    describe("header/cookie routing (release.match) in the state", () => {
        const HEADER = { header: "X-Canary", headerValue: "always" };
        const m = (extra: Partial<ReleaseConfig> = {}) => ({ match: HEADER, ...extra });
        /** state.match after each config, from scratch. */
        const matches = (...configs: ReleaseConfig[]) => {
            let s: ReleaseState | undefined;
            return configs.map((c) => {
                const n = ok(next(s, c, { now: NOW }));
                assertInvariants(s, n);
                s = n;
                return n.match;
            });
        };
        it("is on while a canary progresses, at every step, and off once promoted", () => {
            assert.deepStrictEqual(matches(cfg("1.0.0", m()), cfg("1.1.0", m()), cfg("1.1.0", m({ step: 1 })), cfg("1.1.0", m({ step: 2 })), cfg("1.1.0", m({ step: 3 }))),
                [undefined, HEADER, HEADER, HEADER, undefined]);
        });
        it("only at the match's steps, without the steps in the state", () => {
            const only1 = { match: { cookie: "canary", steps: [1] } };
            assert.deepStrictEqual(matches(cfg("1.0.0", only1), cfg("1.1.0", only1), cfg("1.1.0", { ...only1, step: 1 }), cfg("1.1.0", { ...only1, step: 2 })),
                [undefined, undefined, { cookie: "canary" }, undefined]);
        });
        it("abort, a rollback and blue/green turn it off", () => {
            assert.deepStrictEqual(matches(cfg("1.0.0", m()), cfg("1.1.0", m()), cfg("1.1.0", m({ abort: true }))), [undefined, HEADER, undefined]);
            assert.deepStrictEqual(matches(cfg("1.0.0", m()), cfg("1.1.0", m()), cfg("1.1.0", m({ step: 1 })), cfg("1.1.0", m({ step: 2 })), cfg("1.1.0", m({ step: 3 })), cfg("1.0.0", m())),
                [undefined, HEADER, HEADER, HEADER, undefined, undefined]);
            const bg = (version: string, step = 0) => cfg(version, m({ strategy: "blueGreen", step }));
            assert.deepStrictEqual(matches(bg("1.0.0"), bg("1.1.0"), bg("1.1.0", 1)), [undefined, undefined, undefined]);
        });
        it("a match edit alone mid-rollout is a change without a history entry; the same config again is a no-op", () => {
            const t = next(at(1), cfg("1.1.0", { step: 1, match: HEADER }), { now: later(60) });
            const s = ok(t);
            assert.ok(t.ok && t.changed && t.event === undefined);
            assert.strictEqual(t.ok && t.description, "header/cookie routing: header X-Canary=always");
            assert.deepStrictEqual(s.history, at(1).history);
            assert.deepStrictEqual({ ...s, match: undefined }, { ...at(1), match: undefined });
            const again = next(s, cfg("1.1.0", { step: 1, match: HEADER }), { now: later(120) });
            assert.ok(again.ok && !again.changed);
            const off = next(s, cfg("1.1.0", { step: 1 }), { now: later(120) });
            assert.ok(off.ok && off.changed && off.state.match === undefined && off.description === "header/cookie routing off");
            const pattern = next(s, cfg("1.1.0", { step: 1, match: { header: "X-Canary", headerPattern: "^(a|b)$" } }), { now: later(120) });
            assert.strictEqual(pattern.ok && pattern.description, "header/cookie routing: header X-Canary ~ ^(a|b)$");
        });
        it("a settled release ignores a match edit; a stack without a match has no match key at all", () => {
            const t = next(stable(), cfg("1.0.0", m()), { now: later(60) });
            assert.ok(t.ok && !t.changed);
            for (const s of [stable(), at(0), at(1), at(3)]) assert.ok(!("match" in s), JSON.stringify(s));
        });
        it("a refused move keeps the routing in effect", () => {
            const s = ok(next(at(1), cfg("1.1.0", { step: 1, match: HEADER }), { now: NOW }));
            const t = next(s, cfg("1.1.0", { step: 3, match: { cookie: "other" } }), { now: NOW });
            assert.ok(!t.ok);
            assert.deepStrictEqual(t.state?.match, HEADER);
        });
    });
});
