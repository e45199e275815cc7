// Benchmark: the whole pack over 10,000 generated resources (copies of a realistic
// stack under distinct names). Prints resources/s; asserts nothing.
//   node -r ./engine/sucrase.js offline/bench-policy.ts [count] [--yaml FILE]   (npm run bench:policy)
import { runPolicies } from "./policy-runner";
import { Res } from "../policy/lib/k8s";
import { goodStack } from "../test/policy/fixtures";

const count = Number(process.argv[2] ?? 10_000);
const base = goodStack();
const resources: Res[] = [];
for (let i = 0; resources.length < count; i++) {
    for (const r of base) {
        if (resources.length >= count) break;
        const copy = JSON.parse(JSON.stringify(r));
        // Each copy is its own namespace, so stack checks stay per-app (as in real stacks).
        copy.props.metadata.namespace = `ns-${i}`;
        if (copy.props.kind === "Namespace") copy.props.metadata.name = `ns-${i}`;
        copy.urn = `${copy.urn}-${i}`;
        resources.push(copy);
    }
}
// --yaml FILE: also write the same objects as one multi-document manifest, so that another
// checker (e.g. kube-score) can be timed over exactly these objects.
const yamlAt = process.argv.indexOf("--yaml");
if (yamlAt > 0) {
    const YAML = require("yaml");
    require("fs").writeFileSync(process.argv[yamlAt + 1], resources.map((r) => YAML.stringify(r.props)).join("---\n"));
}
const config = require("../policy/config/prod.json");
runPolicies(resources.slice(0, 200), config); // warm up
const start = process.hrtime.bigint();
const violations = runPolicies(resources, config);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`policy pack over ${resources.length} resources: ${seconds.toFixed(2)} s, ${(resources.length / seconds).toFixed(0)} resources/s, ${violations.length} violations`);
