// Material requests the search index (about 350 KiB) on every page load. Hold that
// request until the reader reaches for search: the pointer over the search box or
// its icon, or focus in it (a click, a tap, or Material's f, s and / shortcuts all
// focus it). Material's search already waits for its index ("Initializing search")
// and then runs whatever was typed meanwhile, so nothing else changes.
// Loaded before Material's bundle (overrides/main.html).
(() => {
  const params = new URLSearchParams(location.search);
  if (params.has("q") || params.has("h")) return; // a search link or highlighting needs the index now

  let requested = false;
  const waiting = [];
  const request = () => {
    if (requested) return;
    requested = true;
    waiting.splice(0).forEach((send) => send());
  };

  const { open, send, abort } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.linregIndex = new URL(url, location.href).pathname.endsWith("/search/search_index.json");
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (!this.linregIndex || requested) return send.apply(this, args);
    waiting.push(() => this.linregIndex !== "aborted" && send.apply(this, args));
  };
  XMLHttpRequest.prototype.abort = function () {
    if (this.linregIndex) this.linregIndex = "aborted";
    return abort.call(this);
  };

  const search = "[data-md-component=search], label[for=__search]";
  const onSearch = (event) => {
    if (event.target instanceof Element && event.target.closest(search)) request();
  };
  addEventListener("focusin", onSearch);
  addEventListener("pointerover", onSearch, { passive: true });
})();
