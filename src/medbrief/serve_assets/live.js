// medbrief serve: keep this page up to date without reloading it.  The server sends a
// "state" event after every change; the page fetches itself again and swaps the part
// marked data-live when it differs (a preview's frame or page images then load the new file).
(() => {
  const events = new EventSource("/_medbrief/events");
  let busy = false, again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html")
        .querySelector("[data-live]");
      const current = document.querySelector("[data-live]");
      if (fresh && current && fresh.outerHTML !== current.outerHTML) {
        current.replaceWith(document.adoptNode(fresh));
      }
      document.documentElement.dataset.generation = String(++refresh.count);
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }
  refresh.count = 0;
  events.addEventListener("state", refresh);
})();
