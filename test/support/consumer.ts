// A Pulumi program of its own ("shop") that installs goship the way a user does: `npm pack` in
// this repository, then `npm install <tarball>` next to its own @pulumi/pulumi and
// @pulumi/kubernetes. Its index.ts is the README's package example, read from the README, so
// the example cannot drift from what the tests run. Used by test/package.test.ts (mock runtime)
// and test/e2e/scenarios/17-consumer-package.e2e.ts (the real engine).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "../..");
export const CONSUMER_PROJECT = "shop";

/** The README section of the package example; the test finds the blocks in it. */
export const README_SECTION = "### Use goship from another Pulumi program";

/** The README section's blocks: `ts` is the consumer's index.ts, `yaml` its Pulumi.dev.yaml. */
export function readmeConsumer(readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8")): { ts: string; yaml: string } {
    const start = readme.indexOf(README_SECTION);
    if (start < 0) throw new Error(`README.md has no "${README_SECTION}" section`);
    const rest = readme.slice(start + README_SECTION.length);
    const end = rest.search(/\n#{2,3} /); // the next heading (a bash comment is `# `)
    const section = end < 0 ? rest : rest.slice(0, end);
    const block = (lang: string) => {
        const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(section);
        if (!m) throw new Error(`the README's package section has no \`\`\`${lang} block`);
        return m[1];
    };
    return { ts: block("ts"), yaml: block("yaml") };
}

export interface Packed {
    tarball: string;
    /** What `npm pack` reported: packed and unpacked bytes, every file with its size. */
    size: number;
    unpackedSize: number;
    files: Array<{ path: string; size: number }>;
    bundled: string[];
}

/** `npm pack` of this repository (prepack builds dist/ first) into `dest`. */
export function packRepo(dest: string): Packed {
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dest], {
        cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: npmEnv(),
    });
    // prepack's own output (tsc) goes to stdout before the JSON report.
    const report = JSON.parse(out.slice(out.indexOf("\n[") + 1 || out.indexOf("[")))[0];
    return {
        tarball: path.join(dest, report.filename),
        size: report.size,
        unpackedSize: report.unpackedSize,
        files: report.files.map((f: any) => ({ path: f.path, size: f.size })),
        bundled: report.bundled,
    };
}

/** The version this repository pins (and installed) of a package: the consumer uses the same. */
export function pinned(pkg: string): string {
    const own = require(path.join(ROOT, "package.json"));
    return own.devDependencies?.[pkg] ?? own.dependencies[pkg];
}

export interface Consumer {
    dir: string;
    /** `npm install` wall time, ms. */
    installMs: number;
}

/**
 * A fresh project in a temp dir (outside this repository, so nothing resolves from its
 * node_modules): package.json, tsconfig.json and Pulumi.yaml as `pulumi new typescript`
 * writes them, the README's index.ts and Pulumi.dev.yaml, then `npm install` of the tarball.
 * The install prefers the npm cache (filled by this repository's `npm ci`: same versions),
 * and asks the registry only for what the cache lacks.
 */
export function createConsumer(tarball: string, opts: { parent?: string } = {}): Consumer {
    const dir = fs.mkdtempSync(path.join(opts.parent ?? os.tmpdir(), "goship-consumer-"));
    const { ts, yaml } = readmeConsumer();
    fs.copyFileSync(tarball, path.join(dir, path.basename(tarball)));
    const write = (f: string, text: string) => fs.writeFileSync(path.join(dir, f), text);
    write("package.json", JSON.stringify({
        name: CONSUMER_PROJECT,
        main: "index.ts",
        private: true,
        dependencies: {
            "@pulumi/kubernetes": pinned("@pulumi/kubernetes"),
            "@pulumi/pulumi": pinned("@pulumi/pulumi"),
            goship: `file:${path.basename(tarball)}`,
        },
        devDependencies: { "@types/node": pinned("@types/node"), typescript: pinned("typescript") },
    }, null, 2) + "\n");
    // `pulumi new typescript`'s tsconfig: strict, and no skipLibCheck, so goship's .d.ts are checked too.
    write("tsconfig.json", JSON.stringify({
        compilerOptions: {
            strict: true, outDir: "bin", target: "es2020", module: "commonjs", moduleResolution: "node", sourceMap: true,
            experimentalDecorators: true, pretty: true, noFallthroughCasesInSwitch: true, noImplicitReturns: true,
            forceConsistentCasingInFileNames: true,
        },
        files: ["index.ts"],
    }, null, 4) + "\n");
    write("Pulumi.yaml", `name: ${CONSUMER_PROJECT}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\ndescription: A program that installs goship as a package.\n`);
    write("index.ts", ts);
    write("Pulumi.dev.yaml", yaml);
    const t0 = Date.now();
    try {
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
            cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: npmEnv(),
        });
    } catch (e) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`npm install of ${path.basename(tarball)} in a fresh project failed:\n${(e as any).stderr ?? e}`);
    }
    return { dir, installMs: Date.now() - t0 };
}

/** npm's environment without what an enclosing `npm run`/`npm test` set about its own package. */
export function npmEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (/^npm_(package|lifecycle)_/.test(k)) delete env[k];
    return env;
}
