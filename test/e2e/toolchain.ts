// The real-engine toolchain: the Pulumi CLI, the Node language host, the Kubernetes provider and
// the control-plane binaries of ../shared/e2e/toolchain.tar.xz, extracted once into a cache keyed
// by the archive's sha256 (outside the clone), so a warm run starts in milliseconds.
import { createHash } from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "../..");
/** ../shared/e2e beside the project, or GOSHIP_E2E_SHARED. */
export const SHARED_E2E = process.env.GOSHIP_E2E_SHARED ?? path.resolve(ROOT, "../shared/e2e");
export const ARCHIVE = path.join(SHARED_E2E, "toolchain.tar.xz");

export function toolchainPresent(): boolean {
    return fs.existsSync(ARCHIVE);
}

function sha256(file: string): string {
    const h = createHash("sha256");
    const fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(1 << 20);
    try {
        for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
    } finally {
        fs.closeSync(fd);
    }
    return h.digest("hex");
}

/**
 * Extracts the archive into `<cache>/e2e-<sha>/bin` unless it is there already, and adds the
 * SDK's dynamic-provider plugin (the release resource needs it; it ships in @pulumi/pulumi).
 * Extraction goes to a temporary sibling that is renamed into place, so two runs never see a
 * half-extracted toolchain.
 */
export function ensureToolchain(cache = process.env.GOSHIP_CACHE ?? path.join(os.homedir(), ".cache", "goship")): string {
    const key = sha256(ARCHIVE).slice(0, 16);
    const dir = path.join(cache, `e2e-${key}`);
    const bin = path.join(dir, "bin");
    if (!fs.existsSync(path.join(bin, "pulumi"))) {
        fs.mkdirSync(cache, { recursive: true });
        const tmp = fs.mkdtempSync(path.join(cache, `.e2e-${key}-`));
        fs.mkdirSync(path.join(tmp, "bin"));
        execFileSync("tar", ["-xJf", ARCHIVE, "-C", path.join(tmp, "bin")], { stdio: "inherit" });
        try {
            fs.renameSync(tmp, dir);
        } catch (e) {
            // Another run won the race: use its copy.
            fs.rmSync(tmp, { recursive: true, force: true });
            if (!fs.existsSync(path.join(bin, "pulumi"))) throw e;
        }
    }
    const dynamic = path.join(bin, "pulumi-resource-pulumi-nodejs");
    const shipped = require.resolve("@pulumi/pulumi/pulumi-resource-pulumi-nodejs", { paths: [ROOT] });
    if (!fs.existsSync(dynamic) || fs.readFileSync(dynamic).compare(fs.readFileSync(shipped)) !== 0) {
        fs.copyFileSync(shipped, `${dynamic}.tmp`);
        fs.chmodSync(`${dynamic}.tmp`, 0o755);
        fs.renameSync(`${dynamic}.tmp`, dynamic);
    }
    return bin;
}

/** The directory holding `pulumi` when the toolchain is not used (a user's own CLI on PATH). */
export function pulumiOnPath(): string | undefined {
    for (const d of (process.env.PATH ?? "").split(path.delimiter)) {
        if (d && fs.existsSync(path.join(d, "pulumi"))) return d;
    }
    return undefined;
}
