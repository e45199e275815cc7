// Offline render: runs the real program (index.ts) under the Pulumi mock runtime with a
// stack's config, writes every Kubernetes object as YAML, prints a plan (and, with
// --state, the release transition it would perform), and runs the policy pack over the
// same objects. No cluster, no Pulumi CLI, no credentials.
//
//   npm run render -- --stack dev [--set release.step=1] [--state out/dev/state.json] [--out out]
//
// Exit codes: 0 ok, 1 a mandatory policy violation, 2 a refused release transition,
// invalid config or bad arguments. User errors print a message, never a stack trace.
import * as fs from "fs";
import * as path from "path";
import { MockEngine } from "../offline/engine";
import { RefusedTransition } from "../offline/mock-runtime";
import { RunResult } from "../offline/results";
import { ROOT } from "../offline/stack-config";
import {
    Change, diffObjects, kubernetesObject, objectFileName, parseArgs, routeWeights, showValue, stableOrder, toYaml, UsageError,
} from "../offline/render-lib";
import { policyReport } from "../offline/policy-report";

const STATE_FORMAT = "goship-render-state/1";

interface StateFile {
    format: string;
    stack: string;
    /** The release resource's stored outputs, as Pulumi state would hold them. */
    release: any;
    /** The objects of that render, to show what the next step changes. */
    objects: Record<string, any>;
}

function progress(label: string): () => number {
    const start = Date.now();
    const timer = setInterval(() => process.stderr.write(`  … ${label} (${((Date.now() - start) / 1000).toFixed(0)}s)\n`), 1000);
    return () => {
        clearInterval(timer);
        return (Date.now() - start) / 1000;
    };
}

function readState(file: string, stack: string): StateFile {
    let parsed: any;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`--state ${file}: cannot read a render state file (${(e as Error).message.split("\n")[0]})`);
    }
    if (parsed?.format !== STATE_FORMAT) throw new UsageError(`--state ${file}: not a goship render state file (format ${STATE_FORMAT})`);
    if (parsed.stack !== stack) throw new UsageError(`--state ${file} belongs to stack "${parsed.stack}", not "${stack}"`);
    return parsed;
}

function nonKubernetesSummary(r: RunResult): any {
    const image = r.ofType("docker:index/image:Image").map((i) => ({
        resource: i.name,
        imageName: i.inputs.imageName,
        context: i.inputs.build?.context,
        dockerfile: i.inputs.build?.dockerfile,
        platform: i.inputs.build?.platform,
        buildArgs: i.inputs.build?.args,
        push: i.inputs.skipPush !== true,
        registry: i.inputs.registry ? { server: i.inputs.registry.server, username: i.inputs.registry.username, password: "[secret]" } : undefined,
    }));
    const charts = r.ofType("kubernetes:helm.sh/v4:Chart").map((c) => ({
        resource: c.name,
        chart: c.inputs.chart,
        version: c.inputs.version,
        repository: c.inputs.repositoryOpts?.repo,
        namespace: c.inputs.namespace,
        values: c.inputs.values,
    }));
    return stableOrder({ images: image, helmCharts: charts }, false);
}

function printTransition(prev: StateFile | undefined, release: any, before: Record<string, any>, after: Record<string, any>): void {
    const state = release.state;
    if (!prev) {
        console.log(`release: ${release.status} (no --state given: rendered as a first deploy)`);
        return;
    }
    const old = prev.release.state;
    console.log(`release: ${prev.release.status}  →  ${release.status}`);
    if (JSON.stringify(old) === JSON.stringify(state)) {
        console.log("transition: none (config matches the stored release state)");
    } else {
        console.log(`transition: ${release.lastTransition}`);
        console.log(`  weight ${old.weight}% → ${state.weight}%, phase ${old.phase} → ${state.phase}, stable track ${old.stableTrack} → ${state.stableTrack}`);
    }
    const files = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const changed: Array<[string, Change[]]> = files
        .map((f): [string, Change[]] => [f, diffObjects(before[f], after[f])])
        .filter(([, c]) => c.length > 0);
    if (changed.length === 0) {
        console.log("objects: no changes");
        return;
    }
    console.log("objects that change:");
    for (const [file, changes] of changed) {
        const name = file.replace(/\.yaml$/, "");
        if (before[file] === undefined || after[file] === undefined) {
            console.log(before[file] === undefined ? `  + ${name} (created)` : `  - ${name} (deleted)`);
            continue;
        }
        console.log(`  ~ ${name}`);
        if (after[file].kind === "HTTPRoute") console.log(`      rules: ${routeWeights(before[file])}  →  ${routeWeights(after[file])}`);
        for (const c of changes.slice(0, 8)) console.log(`      ${c.path}: ${showValue(c.before)} → ${showValue(c.after)}`);
        if (changes.length > 8) console.log(`      … ${changes.length - 8} more`);
    }
}

async function main(): Promise<number> {
    const stacks = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s);
    const args = parseArgs(process.argv.slice(2), stacks);
    const prev = args.state ? readState(args.state, args.stack) : undefined;

    const engine = new MockEngine(args.stack);
    engine.stored = prev?.release;
    engine.skipProviderSerialization = true;
    engine.emptyReads = true;
    const done = progress(`rendering stack ${args.stack}`);
    let result;
    try {
        result = await engine.up(args.sets);
    } finally {
        done();
    }

    const outDir = path.resolve(args.out, args.stack);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const objects: Record<string, any> = {};
    for (const r of result.resources) {
        if (!r.type.startsWith("kubernetes:") || r.type === "kubernetes:helm.sh/v4:Chart") continue;
        const obj = kubernetesObject(r);
        const file = objectFileName(obj);
        if (objects[file]) throw new Error(`two objects render to ${file}`);
        objects[file] = obj;
    }
    for (const [file, obj] of Object.entries(objects)) fs.writeFileSync(path.join(outDir, file), toYaml(obj));
    const summary = nonKubernetesSummary(result);
    fs.writeFileSync(path.join(outDir, "_summary.yaml"), toYaml({
        stack: args.stack,
        release: { status: result.release.status, state: result.release.state },
        ...summary,
    }));
    const stateFile: StateFile = { format: STATE_FORMAT, stack: args.stack, release: result.release, objects };
    fs.writeFileSync(path.join(outDir, "state.json"), JSON.stringify(stateFile, null, 2) + "\n");

    const byKind: Record<string, number> = {};
    for (const o of Object.values(objects)) byKind[o.kind] = (byKind[o.kind] ?? 0) + 1;
    console.log(`stack ${args.stack}: ${Object.keys(objects).length} Kubernetes objects in ${path.relative(process.cwd(), outDir) || "."}/`);
    console.log(`  ${Object.entries(byKind).sort().map(([k, n]) => `${k} ${n}`).join(", ")}`);
    for (const c of summary.helmCharts) console.log(`  helm chart ${c.chart} ${c.version} (${c.namespace})`);
    for (const i of summary.images) console.log(`  image ${i.imageName} (${i.push ? "built and pushed" : "built, not pushed"})`);
    if (summary.images.length === 0 && typeof result.outputs.imageRef === "string") {
        console.log(`  image ${result.outputs.imageRef} (prebuilt: goship:image.ref, nothing built)`);
    }
    printTransition(prev, result.release, prev?.objects ?? {}, objects);
    console.log(`state written to ${path.relative(process.cwd(), path.join(outDir, "state.json"))} (pass it with --state to rehearse the next step)`);

    if (!args.policy) return 0;
    const report = policyReport(result.resources, args.stack);
    console.log(report.text);
    return report.mandatory > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (e: Error) => {
        const userError = e instanceof UsageError || e instanceof RefusedTransition || e.constructor?.name === "RunError";
        if (userError) {
            console.error(e instanceof RefusedTransition ? `refused: ${e.message}` : `error: ${e.message}`);
            process.exit(2);
        }
        console.error(e.stack ?? String(e));
        process.exit(3);
    },
);
