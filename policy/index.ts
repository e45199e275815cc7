// The goship CrossGuard pack. Constructing a PolicyPack starts the policy gRPC server, so
// this file is only loaded by the Pulumi engine (`--policy-pack policy`); tests and the
// offline renderer import ./policies (run by ../offline/policy-runner.ts) instead.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("goship", {
    description: "goship: probes, limits, restricted pods, canary Ingress rules and whole-stack checks for a Go service on Kubernetes.",
    policies,
});
