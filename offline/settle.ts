// The settle loop: wait for the program's outputs and registrations under the mock
// runtime, bounded so a run fails instead of hanging.
import * as pulumi from "@pulumi/pulumi";
import { settledValue } from "../components/settled";

/**
 * Resolves an Output, rejecting (not hanging) if it fails or does not settle in time. An
 * unknown value settles as `undefined`. (The SDK-private promise this replaces gave
 * `undefined` for an unknown apply and its `unknown` marker for a raw unknown; under the
 * mocks no program output is unknown, even in a preview: the mocks answer every resource.)
 */
export function settle<T>(o: pulumi.Input<T>, timeoutMs = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`output did not settle within ${timeoutMs} ms`)), timeoutMs);
        settledValue(pulumi.output(o), undefined).then(
            (v) => { clearTimeout(timer); resolve(v as T); },
            (e: unknown) => { clearTimeout(timer); reject(e); },
        );
    });
}

/**
 * Waits until registrations stop: children created inside applies register late, so the
 * count is polled until it holds still across one round of outstanding RPCs.
 */
export async function settleRegistrations(count: () => number, deadlineMs: number): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings");
    let last = -1;
    const start = Date.now();
    while (last !== count()) {
        last = count();
        await settings.waitForRPCs();
        await new Promise((r) => setTimeout(r, 2));
        if (Date.now() - start > deadlineMs) throw new Error("registrations did not settle");
    }
}
