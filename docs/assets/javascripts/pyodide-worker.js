// Runs the "Run it in your browser" block's Python in a Web Worker (started by explorables.js):
// a long run cannot freeze the page, and Stop simply terminates this worker.
// Message in: {indexURL, code, globals}. Messages out: {type: "status" | "stdout" | "error" | "done", ...}.
self.onmessage = async function (event) {
  var job = event.data, started = performance.now(), pyodide;
  try {
    importScripts(job.indexURL + "pyodide.js");
    pyodide = await loadPyodide({
      indexURL: job.indexURL,
      stdout: function (text) { postMessage({ type: "stdout", text: text }); },
      stderr: function (text) { postMessage({ type: "stdout", text: text }); },
    });
  } catch (error) {
    postMessage({ type: "error", loading: true, message: String(error && error.message || error) });
    return;
  }
  var loaded = performance.now();
  postMessage({ type: "status", loadSeconds: (loaded - started) / 1000 });
  try {
    Object.keys(job.globals).forEach(function (name) { pyodide.globals.set(name, pyodide.toPy(job.globals[name])); });
    await pyodide.runPythonAsync(job.code);
    postMessage({ type: "done", loadSeconds: (loaded - started) / 1000, runSeconds: (performance.now() - loaded) / 1000 });
  } catch (error) {
    postMessage({ type: "error", loading: false, message: String(error && error.message || error) });
  }
};
