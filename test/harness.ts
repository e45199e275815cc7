// The mock-runtime harness lives with the offline renderer (scripts/offline), which runs
// the same program the same way; tests import it from here.
export * from "../scripts/offline/program";
