// The goship command's pure logic, without an engine: argument parsing, the moves and their
// config edits (checked against the release state machine), reading a release out of a stack
// export (recorded from the real engine by e2e scenario 15) and what the commands print.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "../cli/args";
import { rawConfig, stackConfig } from "../cli/config";
import { CliError } from "../cli/errors";
import { analysisCell, historyTable, runText, statusText, summarize, table, time } from "../cli/format";
import { lineChanges } from "../cli/lines";
import { allMoves, editCommand, MoveConfig, pending, propose } from "../cli/moves";
import { historyRows, parseExport, releaseFromExport, ReleaseView } from "../cli/record";
import { next, ReleaseConfig, ReleaseState, Track } from "../components/release/strategy";

const FIXTURES = path.join(__dirname, "fixtures");
const recorded = (name: string) => fs.readFileSync(path.join(FIXTURES, `cli-${name}.export.json`), "utf8");

// ---- states built by the state machine itself --------------------------------------------

const T0 = "2026-01-01T00:00:00.000Z";
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const base: ReleaseConfig = { version: "1.0.0", strategy: "canary", steps: [5, 20, 50, 100], step: 0, abort: false, scaleDownDelaySeconds: 600 };

/** Applies config edits in order, like a team's successive `pulumi up`s. */
function walk(...edits: Array<Partial<ReleaseConfig>>): { state: ReleaseState; cfg: ReleaseConfig } {
    let state: ReleaseState | undefined;
    let cfg = base;
    edits.forEach((e, i) => {
        cfg = { ...cfg, ...e };
        const t = next(state, cfg, { now: at(i * 60) });
        if (!t.ok) throw new Error(t.reason);
        state = t.state;
    });
    return { state: state!, cfg };
}

const images = (s: ReleaseState): Record<Track, string | undefined> =>
    ({ blue: s.trackVersions.blue && `goship:${s.trackVersions.blue}`, green: s.trackVersions.green && `goship:${s.trackVersions.green}` });
const mc = (cfg: ReleaseConfig, imageRef?: string): MoveConfig => ({ release: cfg, ...(imageRef ? { imageRef } : {}) });

function move(name: Parameters<typeof propose>[0], w: { state: ReleaseState; cfg: ReleaseConfig }, now = at(3600), imageRef?: string) {
    return propose(name, w.state, images(w.state), mc(w.cfg, imageRef), now);
}
const edits = (p: ReturnType<typeof propose>) => {
    assert.ok(p.ok, p.ok ? "" : p.reason);
    return p.move.edits.map((e) => `${e.key}=${e.value}`);
};
const reason = (p: ReturnType<typeof propose>) => {
    assert.ok(!p.ok, "expected a refusal");
    return p.reason;
};

const firstDeploy = () => walk({});
const canaryAt = (step: number) => walk({}, { version: "1.1.0", step: 0 }, ...Array.from({ length: step }, (_, i) => ({ step: i + 1 })));
const promoted = () => walk({}, { version: "1.1.0", step: 0 }, { step: 1 }, { step: 2 }, { step: 3 });
const aborted = () => walk({}, { version: "1.1.0", step: 0 }, { step: 1 }, { abort: true });
const bg = (...more: Array<Partial<ReleaseConfig>>) => walk({ strategy: "blueGreen" }, { version: "1.1.0", step: 0 }, ...more);

describe("goship CLI: arguments", () => {
    it("parses each command with -s, --stack, --json and --up", () => {
        assert.deepStrictEqual(parse(["status"]), { kind: "status", stack: undefined, json: false });
        assert.deepStrictEqual(parse(["status", "-s", "dev", "--json"]), { kind: "status", stack: "dev", json: true });
        assert.deepStrictEqual(parse(["--stack", "org/goship/prod", "next"]), { kind: "move", move: "next", stack: "org/goship/prod", json: false, up: false });
        for (const m of ["next", "abort", "retry", "rollback"]) {
            assert.deepStrictEqual(parse([m, "-s", "dev", "--up", "--json"]), { kind: "move", move: m, stack: "dev", json: true, up: true });
        }
        assert.deepStrictEqual(parse(["next", "-s", "prod", "--save-plan", "plan.json"]), { kind: "move", move: "next", stack: "prod", json: false, up: false, savePlan: "plan.json" });
    });

    it("shows the help for no command, help, -h and --help", () => {
        for (const argv of [[], ["help"], ["-h"], ["--help"], ["next", "--help"]]) assert.deepStrictEqual(parse(argv), { kind: "help" }, argv.join(" "));
    });

    it("refuses bad usage with exit 2 and one sentence naming what was wrong", () => {
        const cases: Array<[string[], RegExp]> = [
            [["deploy"], /^unknown command "deploy": one of status, next, abort, retry, rollback \(see `goship --help`\)$/],
            [["status", "--verbose"], /^Unknown option '--verbose': see `goship --help`$/],
            [["status", "-s"], /^Option '-s, --stack <value>' argument missing: see `goship --help`$/],
            [["next", "dev"], /^goship next takes no arguments, got "dev" \(the stack is -s <name>\)$/],
            [["status", "--up"], /^--up goes with a move \(next, abort, retry, rollback\), not with status$/],
            [["status", "--save-plan", "p.json"], /^--save-plan goes with a move \(next, abort, retry, rollback\), not with status$/],
            [["next", "--up", "--save-plan", "p.json"], /^--save-plan saves a preview for review; --up applies at once: pick one$/],
            [["next", "--save-plan", ""], /^--save-plan needs a file name, e\.g\. --save-plan plan\.json$/],
            [["next", "--save-plan"], /^Option '--save-plan <value>' argument missing: see `goship --help`$/],
            [["status", "-s", "dev; rm -rf /"], /^-s "dev; rm -rf \/" is not a stack name/],
        ];
        for (const [argv, message] of cases) {
            assert.throws(() => parse(argv), (e: unknown) => e instanceof CliError && e.exitCode === 2 && message.test(e.message) && !e.message.includes("\n"), argv.join(" "));
        }
    });
});

describe("goship CLI: moves", () => {
    it("next advances a canary one step, then promotes; the description is the state machine's", () => {
        const p = move("next", canaryAt(0));
        assert.deepStrictEqual(edits(p), ["release.step=1"]);
        assert.ok(p.ok && p.move.description === "advance 1.1.0: weight 5% → 20%");
        const last = move("next", canaryAt(2));
        assert.deepStrictEqual(edits(last), ["release.step=3"]);
        assert.match(last.ok ? last.move.description : "", /^promote 1\.1\.0: main Service → green/);
    });

    it("each edit records the value it replaces and prints as the exact `pulumi config set` line", () => {
        const p = move("abort", canaryAt(1));
        assert.ok(p.ok);
        assert.deepStrictEqual(p.move.edits, [{ key: "release.abort", value: "true", from: "false" }]);
        assert.strictEqual(editCommand(p.move.edits[0], "dev"), "pulumi config set --path release.abort true -s dev");
        assert.strictEqual(editCommand({ key: "version", value: "1.0.0", from: "1.1.0" }), "pulumi config set version 1.0.0");
    });

    it("next on blue/green: the switch, then the scale-down only after the delay (the state machine's sentence before)", () => {
        assert.deepStrictEqual(edits(move("next", bg())), ["release.step=1"]);
        const switched = bg({ step: 1 });
        const early = move("next", switched, at(180));
        assert.strictEqual(reason(early), "goship:release: release 1.1.0 is switched, 1.0.0 kept warm (step 1); scaleDownDelay: 1.0.0 stays warm until 2026-01-01T00:12:00.000Z (540 s remaining); next allowed: step 2 (scale down 1.0.0, from 2026-01-01T00:12:00.000Z), or version 1.0.0 / abort: true (switch back)");
        assert.deepStrictEqual(edits(move("next", switched, at(720))), ["release.step=2"]);
    });

    it("next with nothing in progress says how to start a release, or to retry / roll back after an abort", () => {
        assert.strictEqual(reason(move("next", firstDeploy())), "goship next: nothing is in progress (stable 1.0.0): start a release with `pulumi config set version <new version>` and `pulumi config set --path release.step 0`");
        assert.strictEqual(reason(move("next", aborted())), "goship next: nothing is in progress (1.1.0 was aborted, stable 1.0.0): `goship retry` starts 1.1.0 again from step 0, `goship rollback` gives it up");
    });

    it("abort: allowed in every in-progress phase (a switched blue/green switches back), refused when settled", () => {
        assert.deepStrictEqual(edits(move("abort", canaryAt(2))), ["release.abort=true"]);
        assert.deepStrictEqual(edits(move("abort", bg())), ["release.abort=true"]);
        const back = move("abort", bg({ step: 1 }));
        assert.match(back.ok ? back.move.description : "", /^switch back to 1\.0\.0 on warm blue$/);
        for (const w of [firstDeploy(), promoted()]) assert.match(reason(move("abort", w)), /^goship abort: nothing is in progress \(stable 1\.\d\.0\): there is nothing to abort$/);
        assert.strictEqual(reason(move("abort", aborted())), "goship abort: nothing is in progress (1.1.0 was aborted, stable 1.0.0): there is nothing to abort");
    });

    it("retry: an aborted version from step 0 (abort back to false); nothing else can be retried", () => {
        assert.deepStrictEqual(edits(move("retry", aborted())), ["release.step=0", "release.abort=false"]);
        const r = move("retry", aborted());
        assert.ok(r.ok && r.move.description === "retry canary 1.1.0: weight 0% → 5%");
        assert.strictEqual(reason(move("retry", canaryAt(1))), "goship retry: only an aborted release can be retried, and 1.1.0 is in progress");
        assert.strictEqual(reason(move("retry", promoted())), "goship retry: only an aborted release can be retried, and nothing is in progress (stable 1.1.0)");
    });

    it("rollback: the previous stable after a promotion or a switch; gives up an aborted version; refused mid-canary with the release's sentence", () => {
        assert.deepStrictEqual(edits(move("rollback", promoted())), ["version=1.0.0"]);
        assert.deepStrictEqual(edits(move("rollback", bg({ step: 1 }))), ["version=1.0.0"]);
        const giveUp = move("rollback", aborted());
        assert.deepStrictEqual(edits(giveUp), ["version=1.0.0", "release.abort=false"]);
        assert.ok(giveUp.ok && giveUp.move.description === "drop aborted 1.1.0; stable 1.0.0");
        assert.strictEqual(reason(move("rollback", canaryAt(1))),
            "goship:release: release 1.1.0 is at step 1/4 (20%); goship:version 1.0.0 cannot start while 1.1.0 is in progress; next allowed: step 2 (50%), or abort: true");
        assert.strictEqual(reason(move("rollback", firstDeploy())), "goship rollback: 1.0.0 is the only version this stack has run: there is nothing to roll back to");
    });

    it("a refusal is exactly what the release's check would say for that edit", () => {
        const w = canaryAt(1);
        const t = next(w.state, { ...w.cfg, version: "1.0.0" }, { now: at(3600) });
        assert.ok(!t.ok);
        assert.strictEqual(reason(move("rollback", w)), t.reason);
    });

    it("a stack on a prebuilt image (image.ref) gets the recorded image of the version it goes back to", () => {
        const w = promoted();
        assert.deepStrictEqual(edits(move("rollback", w, at(3600), "goship:1.1.0")), ["version=1.0.0", "image.ref=goship:1.0.0"]);
        const none = propose("rollback", w.state, { blue: undefined, green: "goship:1.1.0" }, mc(w.cfg, "goship:1.1.0"), at(3600));
        assert.strictEqual(reason(none), "goship rollback: the stack deploys a prebuilt image (image.ref) and no track recorded one for 1.0.0: set version and image.ref yourself");
        // No version change, no image edit.
        assert.deepStrictEqual(edits(move("next", canaryAt(0), at(3600), "goship:1.1.0")), ["release.step=1"]);
    });

    it("a move the config already asks for has no edit (pending: run the up)", () => {
        const w = canaryAt(1);
        const p = propose("next", w.state, images(w.state), mc({ ...w.cfg, step: 2 }), at(3600));
        assert.ok(p.ok);
        assert.deepStrictEqual(p.move.edits, []);
        assert.deepStrictEqual(pending(w.state, mc({ ...w.cfg, step: 2 }), at(3600)), { kind: "change", description: "advance 1.1.0: weight 20% → 50%" });
        assert.deepStrictEqual(pending(w.state, mc(w.cfg), at(3600)), { kind: "none" });
        assert.strictEqual((pending(w.state, mc({ ...w.cfg, step: 3 }), at(3600)) as any).kind, "refused");
    });

    it("a pending abort is undone by next (abort back to false with the next step)", () => {
        const w = canaryAt(0);
        const p = propose("next", w.state, images(w.state), mc({ ...w.cfg, abort: true }), at(3600));
        assert.deepStrictEqual(edits(p), ["release.step=1", "release.abort=false"]);
    });

    it("allMoves lists the four moves in order with their verdicts", () => {
        const w = canaryAt(1);
        const all = allMoves(w.state, images(w.state), mc(w.cfg), at(3600));
        assert.deepStrictEqual(all.map((p) => [p.ok ? p.move.name : p.name, p.ok]), [["next", true], ["abort", true], ["retry", false], ["rollback", false]]);
    });
});

describe("goship CLI: the release in a stack export", () => {
    it("reads the release recorded mid-canary on the real engine", () => {
        const v = releaseFromExport(parseExport(recorded("canary"), "cli"), "cli");
        assert.strictEqual(v.status, "canary 1.1.0 step 1/4: 5% · stable 1.0.0");
        assert.strictEqual(v.state.phase, "Progressing");
        assert.deepStrictEqual(v.trackImages, { blue: "goship:1.0.0", green: "goship:1.1.0" });
        assert.deepStrictEqual(v.history.map((h) => h.event), ["deploy", "start"]);
        assert.ok(v.history.every((h) => /^\d{4}-\d\d-\d\dT/.test(h.at!)));
        assert.match(v.urn, /goship:Release::goship-release$/);
    });

    it("names a stack that was never deployed, and one whose resources hold no goship release", () => {
        const never = { version: 3, deployment: { manifest: {} } };
        assert.throws(() => releaseFromExport(never, "empty"), { message: "stack empty has no goship release (it has never been deployed): deploy it once with `pulumi up --stack empty`, or pick another stack with -s" });
        const other = JSON.parse(recorded("canary"));
        other.deployment.resources = other.deployment.resources.filter((r: any) => !r.type.startsWith("pulumi-nodejs:dynamic"));
        assert.throws(() => releaseFromExport(other, "web"), (e: any) => e.exitCode === 2
            && /^stack web has no goship release \(none of its \d+ resources is a pulumi-nodejs:dynamic\/goship:Release or a goship:index:ReleaseRecord\)/.test(e.message));
    });

    it("reads the release of a program in another language: the component provider's own record type", () => {
        // The same record as goship's plugin registers it (provider/: a Release served to YAML, Python, …).
        const doc = JSON.parse(recorded("canary"));
        const r = doc.deployment.resources.find((x: any) => x.type === "pulumi-nodejs:dynamic/goship:Release");
        r.type = "goship:index:ReleaseRecord";
        r.urn = "urn:pulumi:dev::shop::goship:index:Release$goship:index:Release$goship:index:ReleaseRecord::shop-release";
        delete r.inputs.__provider;
        delete r.outputs.__provider;
        const v = releaseFromExport(doc, "cli");
        assert.strictEqual(v.status, "canary 1.1.0 step 1/4: 5% · stable 1.0.0");
        assert.deepStrictEqual(v.history.map((h) => h.event), ["deploy", "start"]);
        assert.strictEqual(v.urn, r.urn);
        const both = JSON.parse(recorded("canary"));
        both.deployment.resources.push(r);
        assert.throws(() => releaseFromExport(both, "cli"), /the goship release state is corrupt: it holds 2 goship releases/);
    });

    it("refuses a corrupt state in one line that says what is wrong and changes nothing", () => {
        const mangle = (f: (outputs: any, doc: any) => void) => {
            const doc = JSON.parse(recorded("canary"));
            const r = doc.deployment.resources.find((x: any) => x.type === "pulumi-nodejs:dynamic/goship:Release");
            f(r.outputs, doc);
            return doc;
        };
        const cases: Array<[(o: any, d: any) => void, string]> = [
            [(o) => delete o.state, "the release resource has no `state` output"],
            [(o) => (o.state.phase = "Flying"), 'state.phase is "Flying" (one of Stable, Progressing, Promoted, Aborted, Preview, Switched expected)'],
            [(o) => (o.state.strategy = "yolo"), 'state.strategy is "yolo" (canary or blueGreen expected)'],
            [(o) => (o.state.history = "lots"), "state.history is not a list of events"],
            [(o) => (o.state.weight = 37), "weight 37 not in steps [5,20,50,100]"],
            [(o) => (o.state.steps = ["5"]), "state.steps is not a list of numbers"],
            [(o) => (o.state.stableTrack = "red"), 'state.stableTrack is "red" (blue or green expected)'],
            [(_o, d) => d.deployment.resources.push(d.deployment.resources.find((x: any) => x.type.includes("goship:Release"))), "it holds 2 goship releases"],
        ];
        for (const [f, why] of cases) {
            assert.throws(() => releaseFromExport(mangle(f), "cli"), (e: any) => {
                assert.ok(e instanceof CliError && e.exitCode === 2, String(e));
                assert.ok(e.message.startsWith(`stack cli: the goship release state is corrupt: ${why}`), e.message);
                assert.ok(e.message.endsWith("; inspect it with `pulumi stack export --stack cli` (nothing was changed)"), e.message);
                assert.ok(!e.message.includes("\n"));
                return true;
            }, why);
        }
        assert.throws(() => parseExport("{not json", "cli"), /^Error: stack cli: the goship release state is corrupt: `pulumi stack export` is not a stack state \(/);
        assert.throws(() => parseExport('{"version": 3}', "cli"), /not a stack state \(no deployment\)/);
    });

    it("reads each event's time and analysis from the entry, or from a list in the outputs (volatile facts kept out of the plan)", () => {
        const entries = [{ event: "deploy", from: "", to: "1.0.0", step: -1, weight: 0 }, { event: "advance", from: "1.0.0", to: "1.1.0", step: 1, weight: 20, analysis: { verdict: "pass", onFailure: "refuse" } }];
        const facts = [{ at: T0 }, { at: at(60), analysis: { verdict: "pass", onFailure: "refuse", values: { successRate: 0.999, p99Seconds: 0.1, requests: 500 }, summary: "…" } }];
        const rows = historyRows(entries, { history: facts });
        assert.deepStrictEqual(rows.map((r) => r.at), [T0, at(60)]);
        assert.strictEqual(rows[1].analysis!.verdict, "pass");
        assert.deepStrictEqual(historyRows([{ ...entries[0], at: at(5) }], { history: facts })[0].at, at(5), "the entry's own time first");
        assert.strictEqual(historyRows(entries, {})[0].at, undefined, "no time anywhere: none invented");
    });
});

describe("goship CLI: config", () => {
    const json = {
        "goship:version": { value: "1.1.0", secret: false },
        "goship:ingress": { value: '{"host":"x.example.com"}', objectValue: { host: "x.example.com" }, secret: false },
        "goship:release": { value: "{}", objectValue: { step: 2, abort: false, strategy: "canary" }, secret: false },
        "goship:image": { value: "{}", objectValue: { ref: "goship:1.1.0" }, secret: false },
        "goship:apiToken": { secret: true },
        "goship:registryPassword": { value: "REPLACE-ME (pulumi config set --secret …)", secret: false },
        "kubernetes:context": { value: "kind", secret: false },
    };

    it("decodes the keys as the program receives them, never a secret's value", () => {
        assert.deepStrictEqual(rawConfig(json), {
            version: "1.1.0", ingress: { host: "x.example.com" }, release: { step: 2, abort: false, strategy: "canary" }, image: { ref: "goship:1.1.0" },
            apiToken: "[secret]", registryPassword: "[placeholder]",
        });
    });

    it("keeps what moves need, with the parser's defaults; returns the parser's problems for bad config", () => {
        const { "goship:registryPassword": _r, ...ok } = json;
        const c = stackConfig(ok, "dev");
        assert.ok(c.ok);
        assert.deepStrictEqual(c.config, { release: { version: "1.1.0", strategy: "canary", steps: [5, 20, 50, 100], step: 2, abort: false, scaleDownDelaySeconds: 600 }, imageRef: "goship:1.1.0" });
        const bad = stackConfig({ ...json, "goship:release": { objectValue: { step: "two" } } }, "prod");
        assert.ok(!bad.ok);
        assert.ok(bad.problems.some((p) => /registryPassword is still the placeholder/.test(p)), bad.problems.join("\n"));
        assert.ok(bad.problems.some((p) => /release\.step/.test(p)), bad.problems.join("\n"));
    });
});

describe("goship CLI: output", () => {
    const view = (): ReleaseView => releaseFromExport(parseExport(recorded("canary"), "cli"), "cli");

    it("status: the status line first, then phase, tracks with images, history and the moves with their edits", () => {
        const v = view();
        const cfg = mc({ ...base, version: "1.1.0" });
        const text = statusText({ stack: "cli", view: v, moves: allMoves(v.state, v.trackImages, cfg, at(0)), pending: pending(v.state, cfg, at(0)) });
        const lines = text.split("\n");
        assert.strictEqual(lines[0], "cli: canary 1.1.0 step 1/4: 5% · stable 1.0.0");
        assert.ok(lines.includes("  phase   Progressing (canary, steps 5 → 20 → 50 → 100)"), text);
        assert.ok(lines.includes("  green  candidate  1.1.0    goship:1.1.0"), text);
        assert.ok(lines.includes("history (2 events)"), text);
        const one = { ...v, history: v.history.slice(0, 1) };
        assert.ok(statusText({ stack: "cli", view: one, moves: [] }).split("\n").includes("history (1 event)"));
        assert.ok(lines.some((l) => /^  \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ  start   1\.0\.0 → 1\.1\.0  5%$/.test(l)), text);
        const movesAt = lines.indexOf("next allowed moves");
        assert.deepStrictEqual(lines.slice(movesAt + 1, movesAt + 5), [
            "  goship next -s cli: advance 1.1.0: weight 5% → 20%",
            "      pulumi config set --path release.step 1 -s cli",
            "  goship abort -s cli: abort 1.1.0: weight 5% → 0%, green scaled down",
            "      pulumi config set --path release.abort true -s cli",
        ]);
        assert.ok(!text.includes("config not applied yet"));
    });

    it("status: a pending or refused edit in the stack file, invalid config, and the analysis now", () => {
        const v = view();
        const text = statusText({
            stack: "cli", view: v, moves: null, configProblems: ["goship:release.step must be an integer"],
            pending: { kind: "change", description: "advance 1.1.0: weight 5% → 20%" },
            analysis: {
                prometheusUrl: "http://127.0.0.1:9090", window: "5m", measurements: [
                    { role: "candidate", version: "1.1.0", outcome: { verdict: "fail", onFailure: "refuse", values: { successRate: 0.7, p99Seconds: 0.2, requests: 300 }, summary: "analysis of 1.1.0 over 5m: success rate below the minimum" } },
                    { role: "stable", version: "1.0.0", outcome: { verdict: "pass", onFailure: "refuse", values: { successRate: 1, p99Seconds: 0.05, requests: 900 }, summary: "ok" } },
                ],
            },
        });
        assert.match(text, /^config not applied yet \(Pulumi\.cli\.yaml\): advance 1\.1\.0: weight 5% → 20%; run the reviewed `pulumi up`$/m);
        assert.match(text, /^  none computed: the stack's config is invalid:\n    - goship:release\.step must be an integer$/m);
        assert.match(text, /^analysis now \(http:\/\/127\.0\.0\.1:9090, window 5m\)\n  candidate  1\.1\.0  fail · success 0\.700 · p99 0\.200s · 300 req\n  stable     1\.0\.0  pass · success 1\.000 · p99 0\.050s · 900 req$/m);
        assert.match(text, /^  candidate: analysis of 1\.1\.0 over 5m: success rate below the minimum$/m);
    });

    it("history rows: time to the second, from → to, weight, the analysis verdict and values", () => {
        assert.deepStrictEqual(historyTable([
            { at: T0, event: "deploy", from: "", to: "1.0.0", step: -1, weight: 0 },
            { event: "advance", from: "1.0.0", to: "1.1.0", step: 1, weight: 20, analysis: { verdict: "pass", onFailure: "refuse", values: { successRate: 0.9991, p99Seconds: null, requests: 120 }, summary: "" } },
        ]), [
            "time                  event    from → to      weight  analysis",
            "2026-01-01 00:00:00Z  deploy   · → 1.0.0      0%",
            "-                     advance  1.0.0 → 1.1.0  20%     pass · success 0.999 · p99 no data · 120 req",
        ]);
        assert.strictEqual(time("soon"), "soon");
        assert.strictEqual(analysisCell(undefined), "");
        assert.deepStrictEqual(table([["a", "bb"], ["ccc", ""]]), ["a    bb", "ccc"]);
    });

    it("a run: the release's move and status before → after, counts in review order, a replacement once", () => {
        const urn = (type: string, name: string) => `urn:pulumi:dev::goship::${type}::${name}`;
        const pre = (op: string, type: string, name: string, extra: any = {}) => ({ sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { op, urn: urn(type, name), type, provider: "", ...extra } } });
        const events: any[] = [
            pre("same", "pulumi:pulumi:Stack", "goship-dev"),
            pre("update", "pulumi-nodejs:dynamic/goship:Release", "goship-release", {
                old: { outputs: { status: "canary 1.1.0 step 1/4: 5% · stable 1.0.0", state: { weight: 5 } } },
                new: { inputs: { status: "canary 1.1.0 step 2/4: 20% · stable 1.0.0", lastTransition: "advance 1.1.0: weight 5% → 20%", state: { weight: 20 } } },
                diffs: ["state", "status"],
            }),
            pre("replace", "kubernetes:apps/v1:Deployment", "goship-green-deployment", { keys: ["spec.selector"] }),
            pre("create-replacement", "kubernetes:apps/v1:Deployment", "goship-green-deployment"),
            pre("delete-replaced", "kubernetes:apps/v1:Deployment", "goship-green-deployment"),
            pre("update", "kubernetes:networking.k8s.io/v1:Ingress", "goship-canary", { detailedDiff: { "metadata.annotations": {} } }),
            { sequence: 9, timestamp: 0, diagnosticEvent: { message: "a warning\n", severity: "warning", color: "never" } },
            { sequence: 10, timestamp: 0, summaryEvent: { resourceChanges: { same: 20, update: 2, replace: 1 }, maybeCorrupt: false, durationSeconds: 3, policyPacks: {} } },
        ];
        const s = summarize(events);
        assert.deepStrictEqual(s.release, { op: "update", description: "advance 1.1.0: weight 5% → 20%", before: "canary 1.1.0 step 1/4: 5% · stable 1.0.0", after: "canary 1.1.0 step 2/4: 20% · stable 1.0.0", weightBefore: 5, weightAfter: 20 });
        assert.deepStrictEqual(s.errors, []);
        const plugin = summarize(events.map((e) => (e.resourcePreEvent?.metadata.type === "pulumi-nodejs:dynamic/goship:Release"
            ? { ...e, resourcePreEvent: { metadata: { ...e.resourcePreEvent.metadata, type: "goship:index:ReleaseRecord" } } } : e)));
        assert.deepStrictEqual(plugin.release, s.release, "the plugin's record (another language's program) is the release too");
        assert.strictEqual(runText("preview", s), [
            "release: advance 1.1.0: weight 5% → 20%",
            "status:  canary 1.1.0 step 1/4: 5% · stable 1.0.0 → canary 1.1.0 step 2/4: 20% · stable 1.0.0",
            "preview: 2 to update, 1 to replace, 20 unchanged",
            "  update  goship-release (pulumi-nodejs:dynamic/goship:Release): state, status",
            "  replace goship-green-deployment (kubernetes:apps/v1:Deployment): spec.selector",
            "  update  goship-canary (kubernetes:networking.k8s.io/v1:Ingress): metadata.annotations",
        ].join("\n"));
    });

    it("a run's errors are the engine's error diagnostics, in order", () => {
        const s = summarize([{ sequence: 1, timestamp: 0, diagnosticEvent: { message: "goship:release: refused\n", severity: "error", color: "never" } }] as any);
        assert.deepStrictEqual(s.errors, ["goship:release: refused"]);
        // A failed run's partial counts would read as a plan ("4 unchanged"): none is shown.
        const partial = summarize([{ sequence: 2, timestamp: 0, summaryEvent: { resourceChanges: { same: 4 }, maybeCorrupt: false, durationSeconds: 1, policyPacks: {} } }] as any);
        assert.strictEqual(runText("preview", partial, false), "preview failed: nothing was applied");
        assert.match(runText("up", partial, false), /^up failed: see the error below; `goship status` shows what was applied$/);
    });
});

describe("goship CLI: the lines an edit changed", () => {
    it("one changed line, an added line, a removed line; nothing for equal text", () => {
        assert.deepStrictEqual(lineChanges("a\n  step: 0\nb\n", "a\n  step: 1\nb\n"), [{ before: "  step: 0", after: "  step: 1" }]);
        assert.deepStrictEqual(lineChanges("a\nb\n", "a\nx\nb\n"), [{ after: "x" }]);
        assert.deepStrictEqual(lineChanges("a\nx\nb\n", "a\nb\n"), [{ before: "x" }]);
        assert.deepStrictEqual(lineChanges("a\nb", "a\nb"), []);
        assert.deepStrictEqual(lineChanges("", "k: v"), [{ before: "", after: "k: v" }]);
    });
});
