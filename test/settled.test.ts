// settledValue (components/settled.ts) and the offline settle loop built on it: an Output's
// value as a plain promise through the public API, an unknown value without hanging, a
// failure or a value that never settles as a rejection.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { settledValue } from "../components/settled";
import { settle } from "../offline/settle";

/** An Output whose value is unknown, as a preview gives for a value not computed yet. */
const unknownOutput = <T>(): pulumi.Output<T> => pulumi.output(pulumi.unknown) as unknown as pulumi.Output<T>;

describe("settledValue: an Output's value as a promise (public API only)", () => {
    it("resolves a known value, with the Outputs inside it unwrapped, and a secret's plain value", async () => {
        assert.deepStrictEqual(await settledValue(pulumi.output({ a: pulumi.output(1), b: ["x", pulumi.output("y")] }), "unknown"), { a: 1, b: ["x", "y"] });
        assert.strictEqual(await settledValue(pulumi.secret("s3cret"), "unknown"), "s3cret");
        assert.strictEqual(await settledValue(pulumi.output(Promise.resolve(undefined)), "unknown"), undefined, "a known undefined is not unknown");
    });

    it("resolves to the fallback at once when the value is unknown, also partly (apply never runs then)", async () => {
        assert.strictEqual(await settledValue(unknownOutput<string>(), "unknown"), "unknown");
        assert.strictEqual(await settledValue(pulumi.output({ a: 1, b: unknownOutput<number>() }), "unknown"), "unknown");
        assert.strictEqual(await settledValue(unknownOutput<string>().apply((s) => s.length), -1), -1);
    });

    it("waits for a value that comes later and rejects with the Output's error", async () => {
        const later = new Promise<number>((resolve) => setTimeout(() => resolve(7), 30));
        assert.strictEqual(await settledValue(pulumi.output(later), 0), 7);
        await assert.rejects(settledValue(pulumi.output(Promise.reject(new Error("registration failed"))), 0), /registration failed/);
    });
});

describe("offline settle loop", () => {
    it("resolves values, an unknown as undefined, and rejects a failure", async () => {
        assert.deepStrictEqual(await settle(pulumi.output({ name: pulumi.output("goship") })), { name: "goship" });
        assert.strictEqual(await settle(unknownOutput<string>(), 1_000), undefined);
        await assert.rejects(settle(pulumi.output(Promise.reject(new Error("boom")))), /boom/);
    });

    it("rejects instead of hanging when a value never settles", async () => {
        const never = pulumi.output(new Promise<string>(() => undefined));
        const started = Date.now();
        await assert.rejects(settle(never, 50), /output did not settle within 50 ms/);
        assert.ok(Date.now() - started < 1_000);
    });
});
