// Mocha root hooks for the real-engine tier: one tier per run, stopped after the last test,
// also when a test fails, and on Ctrl-C / SIGTERM (every process it started, by pid).
import { startTier, Tier } from "./tier";

let current: Tier | undefined;

export function tier(): Tier {
    if (!current) throw new Error("the real-engine tier is not running (run through npm run test:e2e)");
    return current;
}

async function stopAndExit(signal: NodeJS.Signals): Promise<void> {
    await current?.stop().catch(() => undefined);
    process.exit(signal === "SIGINT" ? 130 : 143);
}

export const mochaHooks = {
    async beforeAll(this: Mocha.Context) {
        this.timeout(180_000);
        const t0 = Date.now();
        current = await startTier();
        process.once("SIGINT", stopAndExit);
        process.once("SIGTERM", stopAndExit);
        console.log(`    e2e tier up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${current.cluster}, work dir ${current.work})`);
    },
    async afterAll(this: Mocha.Context) {
        this.timeout(60_000);
        await current?.stop();
        current = undefined;
    },
};
