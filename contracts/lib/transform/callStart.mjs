/**
 * AssemblyScript compiler transform (asc `--transform`): makes the module need no
 * start function.
 *
 * AssemblyScript puts global initialisation (e.g. the stub runtime's heap
 * offset) in a start function. A CosmWasm host calls the exported `allocate`
 * before any entry point, and a start section would run while the VM sets the
 * instance up, outside any entry point. So the build uses
 * `--exportStart _start`, and this transform, right after compilation and before
 * optimisation, prepends a call to that (idempotent, `~started`-guarded) start
 * function to `allocate` and to every CosmWasm entry point, then drops the
 * `_start` export again.
 */
const ENTRY_EXPORTS = ['allocate', 'deallocate', 'instantiate', 'execute', 'query', 'migrate', 'sudo', 'reply'];
const START_EXPORT = '_start';

export default class CallStartTransform {
  afterCompile(module) {
    const binaryen = this.binaryen;
    const startExport = module.getExport(START_EXPORT);
    if (!startExport) return;
    const startName = binaryen.getExportInfo(startExport).value;
    for (const name of ENTRY_EXPORTS) {
      const exp = module.getExport(name);
      if (!exp) continue;
      const info = binaryen.getExportInfo(exp);
      if (info.kind !== binaryen.ExternalFunction) continue;
      const fn = module.getFunction(info.value);
      const body = binaryen.getFunctionInfo(fn).body;
      const call = module.call(startName, [], binaryen.none);
      const fnInfo = binaryen.getFunctionInfo(fn);
      const newBody = module.block(null, [call, body], fnInfo.results);
      binaryen.Function.setBody(fn, newBody);
    }
    module.removeExport(START_EXPORT);
  }
}
