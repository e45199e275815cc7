// The real-engine harness's retry of a read-modify-replace that loses a race (409 Conflict):
// kwok and the controllers write the objects the harness edits, and a lost race failed a whole
// tier at start-up once (setNodeCapacity).
import * as assert from "assert";
import { isConflict, isNotFound, retryOnConflict } from "./e2e/kube";

/** An error shaped as @kubernetes/client-node's ApiException. */
const apiError = (code: number) => Object.assign(new Error(`HTTP-Code: ${code}\nMessage: Unknown API Status Code!`), { code });

describe("e2e harness: retryOnConflict", () => {
    it("reads and replaces again after a conflict, until the replace goes through", async () => {
        let calls = 0;
        await retryOnConflict(async () => {
            calls++;
            if (calls < 3) throw apiError(409);
        });
        assert.strictEqual(calls, 3);
    });

    it("rethrows any other error at once", async () => {
        let calls = 0;
        await assert.rejects(retryOnConflict(async () => {
            calls++;
            throw apiError(404);
        }), /HTTP-Code: 404/);
        assert.strictEqual(calls, 1);
    });

    it("gives up after its attempts with the conflict itself", async () => {
        let calls = 0;
        await assert.rejects(retryOnConflict(async () => {
            calls++;
            throw apiError(409);
        }, 4), /HTTP-Code: 409/);
        assert.strictEqual(calls, 4);
    });

    it("tells a conflict from a missing object, by code or by the message client-node writes", () => {
        assert.ok(isConflict(apiError(409)) && !isNotFound(apiError(409)));
        assert.ok(isNotFound(apiError(404)) && !isConflict(apiError(404)));
        assert.ok(isConflict(new Error('Body: {"kind":"Status","code":409}')));
    });
});
