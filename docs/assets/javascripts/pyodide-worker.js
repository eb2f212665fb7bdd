// Runs the "Run it in your browser" block's Python in a Web Worker (a module worker, started by
// explorables.js): a long run cannot freeze the page, and Stop simply terminates this worker.
// Python is loaded on the first message and kept for the next ones; each run gets fresh globals.
// Message in: {indexURL, code, globals}. Messages out: {type: "status" | "stdout" | "error" | "done", ...}.
let runtime = null;  // the promise of the loaded Pyodide

async function load(indexURL) {
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
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  return Promise.race([refused, loadPyodide({
    indexURL,
    stdout: (text) => postMessage({ type: "stdout", text }),
    stderr: (text) => postMessage({ type: "stdout", text }),
  })]);
}

// A Python traceback without Pyodide's own frames: the reader's code runs as "<exec>".
function readersTraceback(message) {
  const lines = message.split("\n");
  const first = lines.findIndex((line) => line.includes('File "<exec>"'));
  return lines[0].startsWith("Traceback") && first > 0 ? [lines[0], ...lines.slice(first)].join("\n") : message;
}

self.onmessage = async (event) => {
  const job = event.data;
  const started = performance.now();
  const fresh = runtime === null;
  let pyodide;
  try {
    if (fresh) runtime = load(job.indexURL);
    pyodide = await runtime;
  } catch (error) {
    postMessage({ type: "error", loading: true, message: String((error && error.message) || error) });
    return;
  }
  const loaded = performance.now();
  const loadSeconds = fresh ? (loaded - started) / 1000 : 0;
  postMessage({ type: "status", loadSeconds });
  const scope = pyodide.globals.get("dict")();  // this run's globals: nothing left over from the last one
  try {
    for (const [name, value] of Object.entries(job.globals)) scope.set(name, pyodide.toPy(value));
    await pyodide.runPythonAsync(job.code, { globals: scope });
    postMessage({ type: "done", loadSeconds, runSeconds: (performance.now() - loaded) / 1000 });
  } catch (error) {
    postMessage({ type: "error", loading: false, message: readersTraceback(String((error && error.message) || error)) });
  } finally {
    scope.destroy();
  }
};
