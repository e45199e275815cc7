// The plugin's entry point: PulumiPlugin.yaml has the Node.js language host load this
// directory, and this serves goship's components (provider.ts) to the engine. It exports
// nothing: the host would otherwise start its own provider for any component it finds here.
import { main } from "@pulumi/pulumi/provider";
import { servePluginReleaseRecords } from "../components/release/record";
import { GoshipProvider } from "./provider";

// Every Release this plugin constructs keeps its state in the plugin's own ReleaseRecord.
servePluginReleaseRecords();
main(new GoshipProvider(), process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
});
