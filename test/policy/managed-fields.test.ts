// Stack policies see outputs; on the real engine a Deployment without replicas comes back with the
// API server's default, so "did the program pin replicas" is read from the managed fields.
import * as assert from "assert";
import { specFieldSetByProgram } from "../../policy/lib/k8s";

const managed = (manager: string, fields: object) => ({ metadata: { managedFields: [{ manager, operation: "Apply", fieldsV1: { "f:spec": fields } }] }, spec: { replicas: 1 } });

describe("policy helpers: specFieldSetByProgram", () => {
    it("trusts presence when there are no managed fields (inputs, previews, mocks)", () => {
        assert.strictEqual(specFieldSetByProgram({ spec: { replicas: 3 } }, "replicas"), true);
        assert.strictEqual(specFieldSetByProgram({ spec: {} }, "replicas"), false);
    });
    it("on live objects, only the provider's own apply of the field counts", () => {
        assert.strictEqual(specFieldSetByProgram(managed("pulumi-kubernetes-5c09a72b", { "f:replicas": {} }), "replicas"), true);
        assert.strictEqual(specFieldSetByProgram(managed("pulumi-kubernetes-5c09a72b", { "f:template": {} }), "replicas"), false, "a server default is not a pin");
        assert.strictEqual(specFieldSetByProgram(managed("kube-controller-manager", { "f:replicas": {} }), "replicas"), false, "the HPA's write is not a pin");
    });
});
