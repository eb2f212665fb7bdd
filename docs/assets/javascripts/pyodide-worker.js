// Runs the "Run it in your browser" block's Python in a Web Worker (a module worker, started by
// explorables.js): a long run cannot freeze the page, and Stop simply terminates this worker.
// Message in: {indexURL, code, globals}. Messages out: {type: "status" | "stdout" | "error" | "done", ...}.
self.onmessage = async (event) => {
  const job = event.data;
  const started = performance.now();
  let pyodide;
  try {
    // loadPyodide never settles when the WebAssembly file fails to load (it only logs a warning):
    // ask for each runtime file first, so a missing one is reported instead of waited on forever.
    const files = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
    const answers = await Promise.all(files.map((name) => fetch(job.indexURL + name, { method: "HEAD" })));
    const missing = files.filter((name, i) => !answers[i].ok);
    if (missing.length) throw new Error(missing.join(", ") + " not found on this site");
    const { loadPyodide } = await import(job.indexURL + "pyodide.mjs");
    pyodide = await loadPyodide({
      indexURL: job.indexURL,
      stdout: (text) => postMessage({ type: "stdout", text }),
      stderr: (text) => postMessage({ type: "stdout", text }),
    });
  } catch (error) {
    postMessage({ type: "error", loading: true, message: String((error && error.message) || error) });
    return;
  }
  const loaded = performance.now();
  postMessage({ type: "status", loadSeconds: (loaded - started) / 1000 });
  try {
    for (const [name, value] of Object.entries(job.globals)) pyodide.globals.set(name, pyodide.toPy(value));
    await pyodide.runPythonAsync(job.code);
    postMessage({ type: "done", loadSeconds: (loaded - started) / 1000, runSeconds: (performance.now() - loaded) / 1000 });
  } catch (error) {
    postMessage({ type: "error", loading: false, message: String((error && error.message) || error) });
  }
};
