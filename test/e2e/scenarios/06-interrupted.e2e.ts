// Scenario 6: the engine is interrupted (SIGINT, what Ctrl-C or a cancelled CI job sends) while
// the candidate Deployment rolls out. The engine finishes what is in flight, records it and stops;
// re-running the same `pulumi up` completes the step. No step is skipped or repeated.
import * as assert from "assert";
import { execFileSync } from "child_process";
import { canaryWeight, deployedDev } from "../story";

describe("e2e 6: an interrupted up", () => {
    it("SIGINT mid-update, then the same up again: the step happens exactly once", async () => {
        const { stack } = await deployedDev();
        await stack.release("2.1.0", { "release.step": 0, "release.abort": false });
        const record = await stack.releaseRecord();
        const candidate = record.state.stableTrack === "blue" ? "green" : "blue";
        const controller = new AbortController();
        const interrupted = stack.up({
            signal: controller.signal,
            onEvent: (e) => {
                if (e.resourcePreEvent?.metadata.urn.endsWith(`goship-${candidate}-deployment`)) controller.abort();
            },
        });
        const run = await interrupted;
        assert.ok(!run.ok, "the interrupted up reports failure");
        assert.ok(controller.signal.aborted, "the signal was sent mid-update");
        const weightAfterInterrupt = await canaryWeight(stack);
        assert.strictEqual(weightAfterInterrupt, "0", "the engine stopped before the weight moved");

        const again = await stack.up();
        assert.ok(again.ok, again.stderr + again.stdout);
        assert.strictEqual(await canaryWeight(stack), "5");
        const history = (await stack.releaseRecord()).state.history;
        const starts = history.filter((h: any) => h.to === "2.1.0" && h.event === "start");
        assert.strictEqual(starts.length, 1, JSON.stringify(history));
        assert.strictEqual(history.filter((h: any) => h.to === "2.1.0").length, 1, "no step repeated or skipped");
    });
});

describe("e2e 6b: a hard-killed up", () => {
    it("SIGKILL mid-update (a lost runner): pulumi cancel, pulumi refresh, then the same up completes the step once", async () => {
        const { stack } = await deployedDev();
        await stack.set({ "release.step": 1 });
        const record = await stack.releaseRecord();
        const candidate = record.state.stableTrack === "blue" ? "green" : "blue";
        let killed = false;
        const run = await stack.up({
            onEvent: (e) => {
                if (killed || !e.resourcePreEvent?.metadata.urn.endsWith(`goship-${candidate}-deployment`)) return;
                killed = true;
                // The CLI of this stack's update, found by its command line (the Automation API
                // does not expose the pid), killed with its whole process tree (language host,
                // providers), as when a runner dies, so nothing is left orphaned.
                const rows = execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" }).trim().split("\n")
                    .map((l) => l.trim().split(/\s+/)).map(([pid, ppid, ...args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args.join(" ") }));
                const cli = rows.filter((r) => /\/pulumi up .*--stack dev( |$)/.test(r.args)).map((r) => r.pid);
                const tree = new Set(cli);
                for (let grew = true; grew;) {
                    grew = false;
                    for (const r of rows) if (tree.has(r.ppid) && !tree.has(r.pid)) { tree.add(r.pid); grew = true; }
                }
                for (const pid of tree) process.kill(pid, "SIGKILL");
            },
        });
        assert.ok(killed && !run.ok, "the up was killed mid-update");
        // What a user then meets, and does: the killed CLI left its lock (a self-managed backend
        // has no server to notice the death), then pending operations in the state.
        const locked = await stack.up();
        assert.ok(!locked.ok);
        assert.match(locked.stderr, /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`/);
        const cancel = stack.cli(["cancel", "--yes"]);
        assert.strictEqual(cancel.status, 0, cancel.out);
        const refresh = stack.cli(["refresh", "--yes", "--clear-pending-creates"]);
        assert.strictEqual(refresh.status, 0, refresh.out);
        if (process.env.GOSHIP_E2E_VERBOSE) console.log(cancel.out, refresh.out);
        const again = await stack.up();
        assert.ok(again.ok, again.stderr + again.stdout);
        assert.strictEqual(await canaryWeight(stack), "20");
        const history = (await stack.releaseRecord()).state.history;
        assert.strictEqual(history.filter((h: any) => h.to === "2.1.0" && h.event === "advance").length, 1, JSON.stringify(history));
    });
});
