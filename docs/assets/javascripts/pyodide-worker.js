// Runs the "Run it in your browser" block's Python in a Web Worker (a module worker, started by
// explorables.js): a long run cannot freeze the page, and Stop simply terminates this worker.
// Message in: {indexURL, code, globals}. Messages out: {type: "status" | "stdout" | "error" | "done", ...}.
self.onmessage = async (event) => {
  const job = event.data;
  const started = performance.now();
  let pyodide;
  try {
    // loadPyodide never settles when a runtime file fails to load (it only logs a warning):
    // watch the runtime's own requests and give up on the first one the site refuses.
    const refused = new Promise((_, reject) => {
      const fetchFromSite = self.fetch.bind(self);
      self.fetch = async (...request) => {
        const response = await fetchFromSite(...request);
        const url = String(request[0].url || request[0]);
        if (!response.ok) reject(new Error(`${url.split("/").pop()} not found on this site (HTTP ${response.status})`));
        return response;
      };
    });
    refused.catch(() => {});  // after loading, a refused request is the Python code's business
    const { loadPyodide } = await import(job.indexURL + "pyodide.mjs");
    pyodide = await Promise.race([refused, loadPyodide({
      indexURL: job.indexURL,
      stdout: (text) => postMessage({ type: "stdout", text }),
      stderr: (text) => postMessage({ type: "stdout", text }),
    })]);
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
